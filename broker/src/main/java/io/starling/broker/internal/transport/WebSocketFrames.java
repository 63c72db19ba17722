package io.starling.broker.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * MQTT in WebSocket binary frames, after the upgrade: the content of each binary frame (and of its
 * continuation frames) goes on as plain bytes to the MQTT frame decoder, which frames packets
 * whatever the WebSocket frames were: a frame may hold several packets or parts of them, and
 * nothing assumes that packets line up with frames [MQTT-6.0.0-2]. Each buffer the
 * connection writes goes out as one binary frame. Pings are answered, a close is answered and
 * closes, and a text frame closes the connection [MQTT-6.0.0-1].
 */
final class WebSocketFrames extends ChannelDuplexHandler {
    /** Whether a close frame was sent: nothing more may follow it (RFC 6455 section 5.5.1). */
    private boolean closeSent;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closeSent) {
            ReferenceCountUtil.release(msg);
        } else if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
            // a continuation frame can only continue a binary message here: a text message closes at its first frame
            ctx.fireChannelRead(((WebSocketFrame) msg).content());
        } else if (msg instanceof PingWebSocketFrame ping) {
            // RFC 6455 section 5.5.2: a pong with the ping's application data
            ctx.writeAndFlush(new PongWebSocketFrame(ping.content()));
        } else if (msg instanceof PongWebSocketFrame pong) {
            pong.release();
        } else if (msg instanceof CloseWebSocketFrame close) {
            // RFC 6455 section 5.5.1: answer with a close frame, echoing the status, then close
            closeWith(ctx, new CloseWebSocketFrame(true, 0, close.content()));
        } else if (msg instanceof TextWebSocketFrame text) {
            text.release();
            // [MQTT-6.0.0-1] MQTT control packets travel in binary frames only: any other data frame closes
            closeWith(ctx, new CloseWebSocketFrame(WebSocketCloseStatus.INVALID_MESSAGE_TYPE, "MQTT needs binary frames"));
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * A frame that breaks RFC 6455 (unmasked, too large, a bad opcode or fragmentation): the frame
     * decoder has stopped reading, and the close frame with its status is sent from here, the one
     * place that knows whether a close frame went out already.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException corrupt) {
            if (!closeSent) {
                closeWith(ctx, new CloseWebSocketFrame(corrupt.closeStatus(), corrupt.getMessage()));
            }
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf bytes) {
            ctx.write(new BinaryWebSocketFrame(bytes), promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    /**
     * The broker closes (a refused CONNECT, a DISCONNECT, a keep-alive timeout): a close frame goes
     * first if the socket takes it at once, so that a browser sees a normal closure rather than an
     * abnormal one; the close does not wait for a client that does not read.
     */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (!closeSent && ctx.channel().isActive()) {
            closeSent = true;
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE));
        }
        ctx.close(promise);
    }

    /**
     * Sends {@code frame} and closes at once: the frame is written to the socket on the flush if it
     * has room, and a client that does not read cannot hold the connection open.
     */
    private void closeWith(ChannelHandlerContext ctx, CloseWebSocketFrame frame) {
        closeSent = true;
        ctx.writeAndFlush(frame);
        ctx.close();
    }
}
