/**
 * Netty bootstrap of the listeners, transport selection (epoll or NIO) and framing.
 *
 * <p>Internal to the broker: not part of the embedding API, and changed without notice.
 */
@NullMarked
package io.starling.broker.internal.transport;

import org.jspecify.annotations.NullMarked;

