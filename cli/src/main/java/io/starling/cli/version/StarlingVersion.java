package io.starling.cli.version;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.IVersionProvider;

/**
 * The {@code --version} of every command: {@code starling 0.1.0 (commit 1a2b3c4d5e)}, from the
 * {@code version.properties} the build fills in. The commit is {@code unknown} when the build had
 * no Git repository (a source archive).
 */
public final class StarlingVersion implements IVersionProvider {
    private static final String RESOURCE = "version.properties";

    @Override
    public String[] getVersion() {
        Properties build = read();
        String version = filled(build.getProperty("version"));
        String commit = filled(build.getProperty("commit"));
        return new String[] {"starling " + (version != null ? version : "(development build)")
                + " (commit " + (commit != null ? commit : "unknown") + ")"};
    }

    /** The value, or null if the build left it out or unfilled (a {@code ${...}} placeholder). */
    private static @Nullable String filled(@Nullable String value) {
        return value == null || value.isBlank() || value.startsWith("${") ? null : value;
    }

    private static Properties read() {
        Properties properties = new Properties();
        try (InputStream in = StarlingVersion.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE + " from the jar", e);
        }
        return properties;
    }
}
