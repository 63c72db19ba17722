/** Application messages and their routing: the subscription topic tree and the router. */
@NullMarked
package io.starling.broker.internal.routing;

import org.jspecify.annotations.NullMarked;

