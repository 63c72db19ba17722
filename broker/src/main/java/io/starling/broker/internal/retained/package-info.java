/** Retained messages, indexed by topic level. */
@NullMarked
package io.starling.broker.internal.retained;

import org.jspecify.annotations.NullMarked;

