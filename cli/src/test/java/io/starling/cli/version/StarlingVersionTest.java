package io.starling.cli.version;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.cli.Starling;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class StarlingVersionTest {
    /** The build's version, then the commit the build saw: ten hex digits, or "unknown" without a Git repository. */
    private static final String VERSION_LINE = "starling \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit ([0-9a-f]{10}|unknown)\\)";

    @Test
    @DisplayName("the version names the build's version and commit, filled in from version.properties")
    void versionAndCommit() {
        assertThat(new StarlingVersion().getVersion()).singleElement().asString().matches(VERSION_LINE);
    }

    @Test
    @DisplayName("starling --version prints that one line and exits 0")
    void versionOption() {
        StringWriter out = new StringWriter();
        CommandLine starling = new CommandLine(new Starling()).setOut(new PrintWriter(out, true));

        assertThat(starling.execute("--version")).isZero();
        assertThat(out.toString().lines()).singleElement().asString().matches(VERSION_LINE);
    }
}
