/**
 * Authentication of connecting clients.
 *
 * <p>Internal to the broker: not part of the embedding API, and changed without notice.
 */
@NullMarked
package io.starling.broker.internal.auth;

import org.jspecify.annotations.NullMarked;

