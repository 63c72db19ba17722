package io.starling.broker.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.starling.broker.internal.protocol.Connection;
import io.starling.broker.internal.protocol.Peer;
import io.starling.broker.metrics.BrokerMetrics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PROXY protocol (HAProxy's proxy-protocol.txt, versions 1 and 2) on a listener behind a load
 * balancer: every connection starts with a header naming the real client, which becomes the
 * connection's {@link Peer} address for logs, limits and ACLs. Three handlers at the head of the
 * pipeline, before TLS: a check of the first bytes, so that a connection without a header is
 * closed at its first bytes rather than when the CONNECT times out; Netty's decoder; and the
 * handler that takes the decoded header. Each removes itself once the header is read.
 */
final class ProxyProtocol {
    private static final Logger log = LoggerFactory.getLogger(ProxyProtocol.class);
    /** Version 1 starts with these six bytes (section 2.1). */
    private static final byte[] V1_SIGNATURE = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    /** Version 2 starts with these twelve bytes (section 2.2). */
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private ProxyProtocol() {}

    /** Adds the PROXY protocol handlers at the end of {@code pipeline} (which must be empty so far). */
    static void addTo(ChannelPipeline pipeline, BrokerMetrics metrics, ThrottledLog failures) {
        pipeline.addLast("proxy-signature", new Signature(metrics, failures))
                .addLast("proxy-decoder", new HAProxyMessageDecoder())
                .addLast("proxy-header", new Header(metrics, failures));
    }

    /**
     * Closes a connection whose first bytes can start neither version's header, as they arrive; a
     * partial match waits for more bytes. Passes the bytes on untouched.
     */
    private static final class Signature extends ChannelInboundHandlerAdapter {
        private final BrokerMetrics metrics;
        private final ThrottledLog failures;
        private int checked;
        private boolean v1 = true;
        private boolean v2 = true;

        Signature(BrokerMetrics metrics, ThrottledLog failures) {
            this.metrics = metrics;
            this.failures = failures;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf bytes)) {
                ctx.fireChannelRead(msg);
                return;
            }
            int from = bytes.readerIndex();
            int n = bytes.readableBytes();
            for (int i = 0; i < n && checked < V2_SIGNATURE.length; i++, checked++) {
                byte b = bytes.getByte(from + i);
                v1 &= checked >= V1_SIGNATURE.length || V1_SIGNATURE[checked] == b;
                v2 &= V2_SIGNATURE[checked] == b;
            }
            if (!v1 && !v2) {
                bytes.release();
                metrics.proxyHeadersInvalid.increment();
                failures.warn("connection from {} closed: it does not start with a PROXY protocol header (proxy_protocol is on)",
                        ctx.channel().remoteAddress());
                ctx.close();
                return;
            }
            if ((v1 && checked >= V1_SIGNATURE.length) || checked >= V2_SIGNATURE.length) {
                ctx.pipeline().remove(this);
            }
            ctx.fireChannelRead(bytes);
        }
    }

    /** Takes the decoded header: the source address becomes the connection's peer. */
    private static final class Header extends ChannelInboundHandlerAdapter {
        private final BrokerMetrics metrics;
        private final ThrottledLog failures;

        Header(BrokerMetrics metrics, ThrottledLog failures) {
            this.metrics = metrics;
            this.failures = failures;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof HAProxyMessage header)) {
                ctx.fireChannelRead(msg);
                return;
            }
            try {
                InetSocketAddress client = clientAddress(header);
                Connection connection = ctx.pipeline().get(Connection.class);
                if (client != null && connection != null) {
                    // the certificate identity comes later, from the TLS handshake after this header
                    connection.peer(new Peer(client, connection.peer().certificateIdentity()));
                }
                if (log.isDebugEnabled()) {
                    log.debug("PROXY header from {}: {} {} {}:{}", ctx.channel().remoteAddress(), header.command(),
                            header.proxiedProtocol(), header.sourceAddress(), header.sourcePort());
                }
            } finally {
                ReferenceCountUtil.release(header);
            }
            ctx.pipeline().remove(this);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof HAProxyProtocolException) {
                // the decoder has closed the connection already, as the protocol asks
                metrics.proxyHeadersInvalid.increment();
                Throwable innermost = cause;
                while (innermost.getCause() != null) {
                    innermost = innermost.getCause();
                }
                failures.warn("connection from {} closed: invalid PROXY protocol header: {}", ctx.channel().remoteAddress(),
                        innermost.getMessage());
                ctx.close();
                return;
            }
            ctx.fireExceptionCaught(cause);
        }
    }

    /**
     * The real client's address the header names; null to keep the socket's: for a LOCAL command
     * (the proxy's own health check, section 2.2), and for UNKNOWN or UNIX-socket sources.
     */
    static @Nullable InetSocketAddress clientAddress(HAProxyMessage header) {
        if (header.command() != HAProxyCommand.PROXY) {
            return null;
        }
        HAProxyProxiedProtocol protocol = header.proxiedProtocol();
        HAProxyProxiedProtocol.AddressFamily family = protocol.addressFamily();
        String source = header.sourceAddress();
        if (source == null || (family != HAProxyProxiedProtocol.AddressFamily.AF_IPv4
                && family != HAProxyProxiedProtocol.AddressFamily.AF_IPv6)) {
            return null;
        }
        // the decoder has checked that it is a literal address: no name is looked up
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(source);
        if (literal == null) {
            return null;
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(literal), header.sourcePort());
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
