package io.starling.broker.internal.protocol;

import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * Who is at the other end of a connection, as its transport learned it: the client's address
 * (the one a PROXY protocol header names, behind a load balancer; else the socket's) and, on a TLS
 * listener with client certificates, the identity its certificate gives.
 *
 * @param address the client's address, for logs, limits and ACLs
 * @param certificateIdentity the client certificate's identity (its CN, or the configured subject
 *     alternative name) when {@code use_identity_as_username} is on and one was presented; else null
 */
public record Peer(InetSocketAddress address, @Nullable String certificateIdentity) {}
