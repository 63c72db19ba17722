/**
 * Limits against abuse and overload: topic depth and length, subscriptions per client, inbound
 * message and byte rates, and the live holder that lets them be replaced while the broker runs.
 * The byte bounds of the in-flight window and the queue, and the stuck-client timeout, are
 * enforced where messages go out ({@code PublishOutFlow}), reading the same holder.
 *
 * <p>Internal to the broker: not part of the embedding API, and changed without notice.
 */
@NullMarked
package io.starling.broker.internal.limits;

import org.jspecify.annotations.NullMarked;
