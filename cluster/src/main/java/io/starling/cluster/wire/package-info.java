/** The bytes the nodes of a cluster send each other: route changes, forwarded messages, retained changes. */
@NullMarked
package io.starling.cluster.wire;

import org.jspecify.annotations.NullMarked;
