/**
 * Who owns each session in the cluster, decided by a majority of the members with jgroups-raft:
 * the replicated table of owners ({@link io.starling.cluster.ownership.SessionOwners}) and the
 * claims and releases made through it ({@link io.starling.cluster.ownership.Ownership}).
 */
@NullMarked
package io.starling.cluster.ownership;

import org.jspecify.annotations.NullMarked;
