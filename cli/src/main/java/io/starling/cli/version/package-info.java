/** The version every {@code starling} command prints with {@code --version}, read from the jar's manifest. */
@NullMarked
package io.starling.cli.version;

import org.jspecify.annotations.NullMarked;
