/**
 * The broker's side of a cluster ({@link io.starling.broker.cluster.ClusterPort}): the routes of
 * this node (its sessions' topic filters, counted, announced on first use and withdrawn on last),
 * the routes of the other nodes (one subscriber per node in the topic tree, so that a message goes
 * to each node at most once), messages forwarded both ways, and retained messages replicated.
 *
 * <p>Internal to the broker: not part of the embedding API, and changed without notice.
 */
@NullMarked
package io.starling.broker.internal.cluster;

import org.jspecify.annotations.NullMarked;
