package io.starling.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the project's launcher is: the tests start the real {@code bin/starling}. */
final class ProjectRoot {
    /** The project root: Maven runs the tests in it/, so the first directory up that holds bin/starling. */
    static final Path DIR = find();
    /** {@code bin/starling}, the launcher a user runs. */
    static final Path LAUNCHER = DIR.resolve("bin/starling");

    private ProjectRoot() {}

    private static Path find() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
            if (Files.isRegularFile(candidate.resolve("bin/starling")) && Files.isDirectory(candidate.resolve("cli"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no bin/starling in " + dir + " or above it");
    }
}
