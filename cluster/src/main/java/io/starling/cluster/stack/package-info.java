/** The JGroups protocol stack of a cluster node, built in code from the {@code cluster} configuration, and its TLS. */
@NullMarked
package io.starling.cluster.stack;

import org.jspecify.annotations.NullMarked;
