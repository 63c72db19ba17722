/**
 * The broker side of {@link io.starling.broker.admin.BrokerAdmin}: views of the connected
 * clients, the sessions and the retained messages, deleting sessions and retained messages,
 * publishing as the broker, and watching a topic filter. Reads session state on each session's
 * owner event loop, as its flows do.
 *
 * <p>Internal to the broker: not part of the embedding API, and changed without notice.
 */
@NullMarked
package io.starling.broker.internal.admin;

import org.jspecify.annotations.NullMarked;
