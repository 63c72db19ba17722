/**
 * Replicas of each node's persistent sessions on other nodes, so that a node that dies loses no
 * acknowledged message: the changes a node stores are sent to its backups before they are
 * acknowledged ({@link io.starling.cluster.replication.Replicator}), the backups keep them
 * ({@link io.starling.cluster.replication.Replicas}), and when the node dies its backup takes its
 * sessions over.
 */
@NullMarked
package io.starling.cluster.replication;

import org.jspecify.annotations.NullMarked;
