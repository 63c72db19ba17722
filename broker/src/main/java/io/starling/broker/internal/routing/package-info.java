/**
 * Routing of application messages: the subscription topic tree and the router.
 *
 * <p>Internal to the broker: not part of the embedding API, and changed without notice.
 */
@NullMarked
package io.starling.broker.internal.routing;

import org.jspecify.annotations.NullMarked;

