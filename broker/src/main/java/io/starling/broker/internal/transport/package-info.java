/** Netty bootstrap of the listeners, transport selection (epoll or NIO) and framing. */
@NullMarked
package io.starling.broker.internal.transport;

import org.jspecify.annotations.NullMarked;

