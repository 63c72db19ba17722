/**
 * Several Starling brokers as one, over JGroups ({@link io.starling.cluster.ClusterNode}): the
 * membership and failure detection of the nodes, the route table replicated between them, messages
 * forwarded to the nodes that have subscribers for them, and retained messages kept on every node.
 */
@NullMarked
package io.starling.cluster;

import org.jspecify.annotations.NullMarked;
