/**
 * {@code starling bench} on the command line: the picocli commands {@code bench conn}, {@code pub},
 * {@code sub} and {@code pubsub}, the options they share and the converters of their values, and
 * how a command runs a bench: Ctrl-C stops it early, the summary goes to standard output, errors
 * are one line on standard error, and the exit code says which. The commands only turn options
 * into the settings of a run of {@link io.starling.cli.bench.engine}.
 */
@NullMarked
package io.starling.cli.bench.command;

import org.jspecify.annotations.NullMarked;
