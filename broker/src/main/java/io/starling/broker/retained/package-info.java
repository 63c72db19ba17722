/** Retained messages, indexed by topic level. */
@NullMarked
package io.starling.broker.retained;

import org.jspecify.annotations.NullMarked;
