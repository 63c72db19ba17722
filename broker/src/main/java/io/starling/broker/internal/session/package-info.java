/**
 * Sessions: their mailbox and state, the registry with take-over, the in-flight window and packet identifiers.
 *
 * <p>Internal to the broker: not part of the embedding API, and changed without notice.
 */
@NullMarked
package io.starling.broker.internal.session;

import org.jspecify.annotations.NullMarked;

