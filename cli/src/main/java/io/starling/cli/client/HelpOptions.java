package io.starling.cli.client;

import picocli.CommandLine.Option;

/**
 * {@code --help} and {@code --version} of pub and sub. Not picocli's standard help options: their
 * {@code -h} and {@code -V} mean host and protocol version here, as in mosquitto_pub.
 */
final class HelpOptions {
    @Option(names = "--help", usageHelp = true, order = 200, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--version", versionHelp = true, order = 201, description = "Print the version and exit.")
    boolean version;
}
