package io.starling.broker.internal.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP phase of a WebSocket listener: it answers the one HTTP request a connection may send,
 * either with the WebSocket handshake (RFC 6455 version 13, on the listener's path, with the MQTT
 * subprotocol) or with an HTTP error and a close. After the handshake it replaces itself with
 * {@link WebSocketFrames}, and Netty's handshaker replaces the HTTP codec with the frame codec.
 *
 * <p>The subprotocol: "mqtt" whenever the client offers it, as it must [MQTT-6.0.0-3] and the
 * server must answer [MQTT-6.0.0-4]; else "mqttv3.1" (the name MQTT 3.1 clients such as old Paho
 * JavaScript offer). A client that offers neither is refused with 400: it asked to speak something
 * else, and a browser would fail the connection anyway on an answer without its subprotocol. A
 * client that offers none at all is served without one, as Mosquitto serves it. Other answers: 404 off the path, 405 for a method other than
 * GET, 426 for a request that is not a version 13 WebSocket upgrade.
 */
final class WebSocketUpgrade extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(WebSocketUpgrade.class);
    static final String MQTT = "mqtt";
    static final String MQTT_3_1 = "mqttv3.1";

    private final String path;
    private final WebSocketDecoderConfig frames;

    WebSocketUpgrade(String path, WebSocketDecoderConfig frames) {
        this.path = path;
        this.frames = frames;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
            return;
        }
        if (!new QueryStringDecoder(request.uri()).path().equals(path)) {
            refuse(ctx, HttpResponseStatus.NOT_FOUND, "MQTT over WebSocket is served on " + path);
            return;
        }
        if (!HttpMethod.GET.equals(request.method())) {
            FullHttpResponse response = response(HttpResponseStatus.METHOD_NOT_ALLOWED, "a WebSocket upgrade is a GET");
            response.headers().set(HttpHeaderNames.ALLOW, HttpMethod.GET.name());
            send(ctx, response);
            return;
        }
        String upgrade = request.headers().get(HttpHeaderNames.UPGRADE);
        String version = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
        if (upgrade == null || !HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(upgrade) || !"13".equals(version)) {
            // RFC 6455 section 4.4: say which version is spoken; RFC 9110 section 15.5.22: and to what to upgrade
            FullHttpResponse response = response(HttpResponseStatus.UPGRADE_REQUIRED, "MQTT is served over WebSocket (version 13) here");
            response.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
            response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
            send(ctx, response);
            return;
        }
        List<String> offered = request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        String subprotocol = select(offered);
        if (subprotocol == null && !offered.isEmpty()) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, "the WebSocket subprotocol is " + MQTT + " (or " + MQTT_3_1 + ")");
            return;
        }
        WebSocketServerHandshaker13 handshaker = new WebSocketServerHandshaker13(path, subprotocol, frames);
        try {
            handshaker.handshake(ctx.channel(), request).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        } catch (WebSocketHandshakeException e) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, e.getMessage());
            return;
        }
        ctx.pipeline().replace(this, "ws-frames", new WebSocketFrames());
    }

    /**
     * The subprotocol to answer with among those the client offered (each header a comma-separated
     * list): "mqtt" before "mqttv3.1" whatever the client's order [MQTT-6.0.0-4]; null for none.
     */
    static @Nullable String select(List<String> offered) {
        boolean mqtt31 = false;
        for (String header : offered) {
            for (String name : header.split(",")) {
                String trimmed = name.trim();
                if (trimmed.equals(MQTT)) {
                    return MQTT;
                }
                mqtt31 |= trimmed.equals(MQTT_3_1);
            }
        }
        return mqtt31 ? MQTT_3_1 : null;
    }

    private static void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, @Nullable String why) {
        if (log.isDebugEnabled()) {
            log.debug("HTTP request from {} refused: {} {}", ctx.channel().remoteAddress(), status.code(), why);
        }
        send(ctx, response(status, why == null ? status.reasonPhrase() : why));
    }

    private static FullHttpResponse response(HttpResponseStatus status, String body) {
        byte[] text = (body + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(text));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, text.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }

    /** Sends {@code response} and closes: a connection here is for MQTT only, so one request is all it gets. */
    private static void send(ChannelHandlerContext ctx, FullHttpResponse response) {
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP phase of {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
