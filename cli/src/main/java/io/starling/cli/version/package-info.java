/** The version and commit every {@code starling} command prints with {@code --version}, recorded by the build. */
@NullMarked
package io.starling.cli.version;

import org.jspecify.annotations.NullMarked;
