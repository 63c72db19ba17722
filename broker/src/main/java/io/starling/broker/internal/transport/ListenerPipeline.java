package io.starling.broker.internal.transport;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.internal.protocol.Connection;
import io.starling.broker.internal.protocol.Flows;
import io.starling.codec.decode.MqttFrameDecoder;
import io.starling.codec.decode.PacketDecoder;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * Builds a new connection's pipeline as its listener says, in this order, each part only when the
 * listener has it: the PROXY protocol header, TLS, the WebSocket upgrade (HTTP) and frames, then
 * the MQTT frame decoder and the {@link Connection}. A plain TCP listener gets the last two only.
 * The connection is there from the start, so that its CONNECT timeout counts the PROXY, TLS and
 * HTTP phases too: a client that never upgrades is closed like one that never sends CONNECT.
 */
final class ListenerPipeline extends ChannelInitializer<SocketChannel> {
    /** The largest HTTP request body taken: an upgrade request has none. */
    private static final int MAX_HTTP_BODY = 4096;
    /** The smallest WebSocket frame a client may send: Netty's default. */
    private static final int MIN_FRAME_PAYLOAD = 64 * 1024;
    /** Shared by every connection of every PROXY protocol listener: failures are logged at most every few seconds. */
    private static final ThrottledLog PROXY_FAILURES = new ThrottledLog(LoggerFactory.getLogger(ProxyProtocol.class));

    private final BrokerConfig.Listener listener;
    private final Flows flows;
    private final @Nullable ServerTls tls;
    private final WebSocketDecoderConfig frames;
    private final @Nullable WireBytes wireBytes;

    /**
     * @param tls the listener's TLS when it has {@code tls} set, else null
     * @param wireBytes counts the bytes read and written, first in the pipeline; null: not counted
     */
    ListenerPipeline(BrokerConfig.Listener listener, Flows flows, @Nullable ServerTls tls, @Nullable WireBytes wireBytes) {
        if (listener.tls() != null && tls == null) {
            throw new IllegalArgumentException("listener " + listener.bind() + ":" + listener.port() + " has tls,"
                    + " but no TLS context was made for it");
        }
        this.listener = listener;
        this.flows = flows;
        this.tls = tls;
        this.wireBytes = wireBytes;
        // a frame is held whole before its content is passed on: no larger than the largest packet taken
        this.frames = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(Math.max(MIN_FRAME_PAYLOAD, flows.maxPacketSize()))
                .expectMaskedFrames(true)
                .allowExtensions(false)
                .closeOnProtocolViolation(false) // WebSocketFrames closes, with the status
                .build();
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline pipeline = ch.pipeline();
        WireBytes bytes = wireBytes;
        if (bytes != null) {
            pipeline.addLast(WireBytes.NAME, bytes);
        }
        if (listener.proxyProtocol()) {
            // before TLS: the load balancer's header is sent in the clear, ahead of the client's bytes
            ProxyProtocol.addTo(pipeline, flows.metrics(), PROXY_FAILURES);
        }
        ServerTls listenerTls = tls;
        if (listenerTls != null) {
            listenerTls.addHandlers(ch);
        }
        if (listener.transport() == BrokerConfig.Transport.WEBSOCKET) {
            pipeline.addLast("http", new HttpServerCodec())
                    .addLast("http-request", new HttpObjectAggregator(MAX_HTTP_BODY))
                    .addLast("ws-upgrade", new WebSocketUpgrade(listener.path(), frames));
        }
        PacketDecoder decoder = PacketDecoder.forServer(flows.maxPacketSize());
        pipeline.addLast("frames", new MqttFrameDecoder(decoder))
                .addLast("mqtt", new Connection(flows, listener, decoder));
    }
}
