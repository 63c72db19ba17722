/**
 * What the broker offers a cluster transport, and what it tells it ({@code Broker.cluster()}):
 * routes (the topic filters each node has subscribers for), messages forwarded between nodes, and
 * retained messages replicated to every node. The transport itself (JGroups) lives in the
 * {@code starling-cluster} module.
 */
@NullMarked
package io.starling.broker.cluster;

import org.jspecify.annotations.NullMarked;
