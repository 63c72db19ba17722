package io.starling.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.codec.decode.PacketDecoder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The codec's packages depend one way only: {@code wire} <- {@code property} <- {@code packet} <-
 * {@code decode}, {@code encode}. Read from the compiled classes with jdeps, so that a type used
 * without an import (same package, fully qualified) counts too.
 */
class PackageLayersTest {
    private static final List<String> LAYERS = List.of("wire", "property", "packet", "decode|encode");
    private static final Pattern EDGE = Pattern.compile(
            "^\\s*io\\.starling\\.codec\\.(\\w+)\\s+->\\s+io\\.starling\\.codec\\.(\\w+)\\s", Pattern.MULTILINE);

    @Test
    @DisplayName("each codec package uses only the packages below it, so there is no package cycle")
    void packagesDependDownwardOnly() throws Exception {
        Path classes = Path.of(PacketDecoder.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        int exit = jdeps.run(new PrintWriter(out, true), new PrintWriter(out, true),
                "-verbose:package", "-filter:none", classes.toString());
        assertThat(exit).as(out.toString()).isZero();

        Set<String> edges = new TreeSet<>();
        Set<String> upward = new TreeSet<>();
        Matcher m = EDGE.matcher(out.toString());
        while (m.find()) {
            String from = m.group(1);
            String to = m.group(2);
            if (from.equals(to)) {
                continue;
            }
            edges.add(from + " -> " + to);
            if (layer(from) <= layer(to)) {
                upward.add(from + " -> " + to);
            }
        }
        // the layering below is what the codec has; an empty match would prove nothing
        assertThat(edges).contains("packet -> property", "property -> wire", "decode -> packet", "encode -> packet");
        assertThat(upward).as("dependencies that go up or sideways").isEmpty();
    }

    private static int layer(String pkg) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (pkg.matches(LAYERS.get(i))) {
                return i;
            }
        }
        throw new AssertionError("io.starling.codec." + pkg + " is in none of the layers " + LAYERS);
    }
}
