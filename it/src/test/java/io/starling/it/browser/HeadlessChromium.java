package io.starling.it.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium ({@code chromium}) driven through its {@code chromedriver} ({@code
 * chromium-driver}), headless, for the browser tests. {@code .ci/run} installs both; without them
 * the tests are skipped, saying so, except when {@code CI=true}, where they fail.
 */
public final class HeadlessChromium {
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** What a skipped test says. */
    public static final String MISSING = "skipped: apt-get install chromium chromium-driver to run the browser tests";

    private HeadlessChromium() {}

    /** Installed, or CI, where .ci/run installs it and a missing browser fails the tests instead. */
    public static boolean expected() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER) || "true".equals(System.getenv("CI"));
    }

    /**
     * Starts Chromium with a profile of its own under {@code profileDir}, quiet (no sync, updates or
     * first-run pages), with {@code extraArguments}; fails, naming the package, when it is missing.
     */
    public static ChromeDriver start(Path profileDir, String... extraArguments) {
        assertThat(CHROMIUM).as("Chromium (apt-get install chromium)").isExecutable();
        assertThat(CHROMEDRIVER).as("chromedriver (apt-get install chromium-driver)").isExecutable();
        List<String> arguments = new ArrayList<>(List.of(
                "--headless=new",
                "--no-sandbox",                     // CI runs as root, where the sandbox cannot start
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--user-data-dir=" + profileDir));
        arguments.addAll(List.of(extraArguments));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(arguments);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }
}
