/** The {@code starling} command line: one picocli command per tool. */
@NullMarked
package io.starling.cli;

import org.jspecify.annotations.NullMarked;
