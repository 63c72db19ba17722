/**
 * Authorization: which topics a client may publish to, subscribe to and receive, read from a
 * Mosquitto-format ACL file ({@code acl_file}), with each session's decisions cached.
 *
 * <p>Internal to the broker: not part of the embedding API, and changed without notice.
 */
@NullMarked
package io.starling.broker.internal.acl;

import org.jspecify.annotations.NullMarked;
