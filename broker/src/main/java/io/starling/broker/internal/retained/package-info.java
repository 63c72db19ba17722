/**
 * Retained messages, indexed by topic level.
 *
 * <p>Internal to the broker: not part of the embedding API, and changed without notice.
 */
@NullMarked
package io.starling.broker.internal.retained;

import org.jspecify.annotations.NullMarked;

