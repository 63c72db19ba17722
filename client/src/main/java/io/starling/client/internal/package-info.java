/** The client's implementation: the Netty pipeline, the connection state and the flows. Not API. */
@NullMarked
package io.starling.client.internal;

import org.jspecify.annotations.NullMarked;
