package io.starling.broker.internal.protocol;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.internal.routing.Subscriber;
import io.starling.broker.internal.session.ClientConnection;
import io.starling.broker.internal.session.Session;
import io.starling.broker.model.Message;
import io.starling.codec.decode.PacketDecodeException;
import io.starling.codec.encode.PacketEncoder;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.PingReq;
import io.starling.codec.packet.PingResp;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Unsubscribe;
import io.starling.codec.packet.Will;
import io.starling.codec.wire.MqttVersion;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: the last handler of its pipeline. It handles CONNECT itself (through
 * {@link ConnectFlow}) and hands every later packet to its session's mailbox, in order, so that
 * each flow runs on the session's single thread. It holds what lives exactly as long as the
 * network connection: the protocol version, the will, and why the connection ended. A will is
 * published when the connection ends without DISCONNECT [MQTT-3.1.2-8] and discarded on
 * DISCONNECT [MQTT-3.1.2-10] [MQTT-3.14.4-3].
 *
 * <p>It is also its own keep-alive timer (see {@link KeepAlive}): it notes when it last read from
 * the client, once per read, and {@link #run} is one task on the connection's event loop that
 * re-arms itself for the time left and closes the connection when the limit is reached. That
 * costs an idle connection one scheduled task, rather than a pipeline handler and its context.
 * From the CONNECT on, the connection keeps only what it uses later, not the CONNECT itself.
 */
public final class Connection extends ChannelInboundHandlerAdapter implements ClientConnection, Runnable {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    private static final Map<MqttVersion, PacketEncoder> ENCODERS = new EnumMap<>(MqttVersion.class);

    static {
        for (MqttVersion version : MqttVersion.values()) {
            ENCODERS.put(version, new PacketEncoder(version));
        }
    }

    /** The encoder of {@code version}: every version has one. */
    private static PacketEncoder encoderFor(MqttVersion version) {
        return Objects.requireNonNull(ENCODERS.get(version), "an encoder for every version");
    }

    private final Flows flows;
    private final BrokerConfig.Listener listener;
    private @Nullable Channel channel;
    /** Knows the protocol version, too: the connection keeps no separate field for it. */
    private PacketEncoder encoder = encoderFor(MqttVersion.V3_1_1);
    private @Nullable Session session;
    private String clientId = "";
    /** The keep alive of the accepted CONNECT in seconds, or {@link KeepAlive#AWAITING_CONNECT} before one. */
    private int keepAlive = KeepAlive.AWAITING_CONNECT;
    /** Whether the accepted CONNECT asked for a clean session; for the log only. */
    private boolean cleanStart;
    /** {@link System#nanoTime()} when the client was last read from, or the keep alive (re)started. */
    private long lastRead;
    private @Nullable ScheduledFuture<?> keepAliveTimer;
    private volatile @Nullable Will will;
    private volatile @Nullable String closeReason;
    private boolean closing;
    private boolean needsFlush;
    /** Not reading, to hold the client back while a subscriber it publishes to has a full queue. */
    private boolean heldBack;

    public Connection(Flows flows, BrokerConfig.Listener listener) {
        this.flows = flows;
        this.listener = listener;
    }

    BrokerConfig.Listener listener() {
        return listener;
    }

    // ---- inbound, on the connection's event loop ----

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        flows.metrics().connectionsOpened.increment();
        flows.channels().add(ctx.channel());
        restartKeepAlive(KeepAlive.CONNECT_TIMEOUT_NANOS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // once per read from the socket, whole packets or not, as the idle timer did before
        lastRead = System.nanoTime();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof PacketDecodeException failure) {
            onDecodeFailure(failure);
            return;
        }
        Packet packet = (Packet) msg;
        if (log.isDebugEnabled()) {
            log.debug("{} <- {}", clientId.isEmpty() ? ctx.channel().remoteAddress() : clientId, packet);
        }
        if (packet instanceof Connect c) {
            flows.connect().onConnect(this, c);
            return;
        }
        Session s = session;
        if (s == null || closing) {
            // packets behind a refused CONNECT or a DISCONNECT: the connection is closing
            ReferenceCountUtil.release(packet);
            return;
        }
        dispatch(s, packet);
    }

    private void dispatch(Session s, Packet packet) {
        // Java 17: no pattern matching for switch yet
        if (packet instanceof Publish p) {
            Message message = new Message(p.topic(), p.qos(), p.retained(), ByteBufUtil.getBytes(p.payload()), clientId);
            int packetId = p.packetId();
            p.release();
            s.submit(() -> flows.publishIn().onPublish(s, this, message, packetId));
        } else if (packet instanceof PubAck a) {
            s.submit(() -> flows.publishOut().onPubAck(s, a.packetId()));
        } else if (packet instanceof PubRec r) {
            s.submit(() -> flows.publishOut().onPubRec(s, this, r.packetId()));
        } else if (packet instanceof PubRel r) {
            s.submit(() -> flows.publishIn().onPubRel(s, this, r.packetId()));
        } else if (packet instanceof PubComp c) {
            s.submit(() -> flows.publishOut().onPubComp(s, c.packetId()));
        } else if (packet instanceof Subscribe sub) {
            s.submit(() -> flows.subscribe().onSubscribe(s, this, sub));
        } else if (packet instanceof Unsubscribe unsub) {
            s.submit(() -> flows.subscribe().onUnsubscribe(s, this, unsub));
        } else if (packet instanceof PingReq) {
            s.submit(() -> send(PingResp.INSTANCE));
        } else if (packet instanceof Disconnect) {
            // [MQTT-3.14.4-3] discard the will now; close once the packets before DISCONNECT are
            // handled and answered (a client may pipeline CONNECT, PUBLISH, DISCONNECT)
            will = null;
            closing = true;
            s.submit(() -> {
                flush();
                close("client sent DISCONNECT");
            });
        } else {
            close("unexpected " + packet.type());
        }
    }

    private void onDecodeFailure(PacketDecodeException failure) {
        if (keepAlive == KeepAlive.AWAITING_CONNECT && failure.reasonCode() == ReasonCode.UNSUPPORTED_PROTOCOL_VERSION) {
            // [MQTT-3.1.2-2] answer an unknown protocol level with return code 0x01, then close
            closing = true;
            closeReason = "refused: " + failure.getMessage();
            writeAndClose(encoderFor(MqttVersion.V3_1_1), new ConnAck(false, ReasonCode.UNSUPPORTED_PROTOCOL_VERSION));
            return;
        }
        // 3.1 and 3.1.1 have no way to say why: the connection is closed [MQTT-4.8.0-1]
        close("protocol error: " + failure.getMessage());
    }

    /**
     * The keep-alive timer, on the connection's event loop: closes the connection when the client
     * sent nothing within the limit, else waits for the time left.
     */
    @Override
    public void run() {
        keepAliveTimer = null;
        Channel ch = channel;
        long limit = KeepAlive.limitNanos(keepAlive);
        if (ch == null || !ch.isActive() || limit == 0) {
            return;
        }
        long silent = System.nanoTime() - lastRead;
        if (silent < limit) {
            armKeepAlive(limit - silent);
            return;
        }
        if (heldBack) {
            // the broker stopped reading, not the client: its PINGREQs wait in the socket
            armKeepAlive(limit);
            return;
        }
        if (keepAlive == KeepAlive.AWAITING_CONNECT) {
            close("no CONNECT within " + KeepAlive.CONNECT_TIMEOUT_SECONDS + " s");
        } else {
            // [MQTT-3.1.2-24] nothing received for 1.5 times the keep alive
            close("keep-alive timeout (" + keepAlive + " s)");
        }
    }

    /** Counts the silence from now, with {@code limit} (0: no keep-alive), replacing any running timer. */
    private void restartKeepAlive(long limit) {
        ScheduledFuture<?> running = keepAliveTimer;
        if (running != null) {
            running.cancel(false);
            keepAliveTimer = null;
        }
        lastRead = System.nanoTime();
        if (limit > 0) {
            armKeepAlive(limit);
        }
    }

    private void armKeepAlive(long delayNanos) {
        keepAliveTimer = channel().eventLoop().schedule(this, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Session s = session;
        if (ctx.channel().isWritable() && s != null) {
            s.submit(() -> flows.publishOut().drain(s));
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        close("I/O error: " + cause.getMessage());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ScheduledFuture<?> timer = keepAliveTimer;
        if (timer != null) {
            timer.cancel(false);
            keepAliveTimer = null;
        }
        flows.metrics().connectionsClosed.increment();
        Session s = session;
        if (s != null) {
            Will w = will;
            if (w != null) {
                // [MQTT-3.1.2-8] the connection ended without DISCONNECT: publish the will
                Message message = new Message(w.topic(), w.qos(), w.retained(), w.payload().toArray(), clientId);
                s.submit(() -> flows.publishIn().onWill(s, message));
            }
            String reason = closeReason != null ? closeReason : "connection closed by the client";
            log.info("client {} disconnected: {}{}", clientId, reason, w != null ? "; will published" : "");
            flows.sessions().closed(s, this);
        }
        ctx.fireChannelInactive();
    }

    // ---- what the connect flow sets ----

    /** Refuses the CONNECT of {@code version} with {@code code}, then closes [MQTT-3.2.2-5]. */
    void refuse(MqttVersion version, ReasonCode code, String reason) {
        refuse(version, new ConnAck(false, code), reason);
    }

    /**
     * Refuses the CONNECT of {@code version} with {@code refusal}, whose properties an MQTT 3.1 or
     * 3.1.1 CONNACK leaves out, then closes.
     */
    void refuse(MqttVersion version, ConnAck refusal, String reason) {
        ReasonCode code = refusal.reasonCode();
        closing = true;
        closeReason = "refused: " + reason;
        log.info("client refused from {}: {} (CONNACK {})", channel().remoteAddress(), reason, code);
        writeAndClose(encoderFor(version), refusal);
    }

    void accepted(String clientId, Connect connect) {
        this.clientId = clientId;
        this.encoder = encoderFor(connect.version());
        this.will = connect.will();
        this.keepAlive = connect.keepAlive();
        this.cleanStart = connect.cleanStart();
        // the client's keep alive replaces the CONNECT timeout and counts from the CONNECT
        restartKeepAlive(KeepAlive.limitNanos(keepAlive));
    }

    void session(Session session) {
        this.session = session;
    }

    void logConnected(boolean sessionPresent) {
        if (keepAlive != KeepAlive.AWAITING_CONNECT && log.isInfoEnabled()) {
            // the will as it is now: gone if a DISCONNECT was read meanwhile
            Will w = will;
            log.info("client {} connected from {} ({}, {} session{}, keep alive {} s{})", clientId, channel().remoteAddress(),
                    encoder.version(), cleanStart ? "clean" : "persistent", sessionPresent ? " resumed" : "",
                    keepAlive, w != null ? ", will on '" + w.topic() + "'" : "");
        }
    }

    private void writeAndClose(PacketEncoder with, Packet packet) {
        Channel ch = channel();
        ch.config().setAutoRead(false);
        ch.writeAndFlush(with.encode(ch.alloc(), packet)).addListener(ChannelFutureListener.CLOSE);
    }

    private void close(String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        channel().close();
    }

    private Channel channel() {
        Channel ch = channel;
        if (ch == null) {
            throw new IllegalStateException("the connection is not active");
        }
        return ch;
    }

    // ---- ClientConnection: called in the session's mailbox ----

    @Override
    public void send(Packet packet) {
        Channel ch = channel();
        if (log.isDebugEnabled()) {
            log.debug("{} -> {}", clientId, packet);
        }
        ch.write(encoder.encode(ch.alloc(), packet), ch.voidPromise());
        needsFlush = true;
    }

    @Override
    public void flush() {
        if (needsFlush) {
            needsFlush = false;
            channel().flush();
        }
    }

    @Override
    public boolean isWritable() {
        return channel().isWritable();
    }

    @Override
    public void holdBackUntilDrained(Subscriber full) {
        if (heldBack || closing) {
            return;
        }
        Channel ch = channel();
        heldBack = true;
        ch.config().setAutoRead(false);
        flows.metrics().publishersHeldBack.increment();
        if (log.isDebugEnabled()) {
            log.debug("client {}: held back, {} has a full queue", clientId, full.clientId());
        }
        full.whenDrained(() -> ch.eventLoop().execute(this::stopHoldingBack));
    }

    @Override
    public void stopHoldingBack() {
        if (heldBack) {
            heldBack = false;
            channel().config().setAutoRead(true);
        }
    }

    @Override
    public MqttVersion version() {
        return encoder.version();
    }

    @Override
    public EventExecutor eventLoop() {
        return channel().eventLoop();
    }

    /** Closes the connection because the broker is stopping; the will is published, as for any close without DISCONNECT. */
    public void closeForShutdown() {
        close("broker shutting down");
    }

    @Override
    public void closeForTakeOver() {
        close("taken over by a new connection with the same client identifier");
    }

    @Override
    public void closeForStoreFailure(String reason) {
        close("the store failed: " + reason);
    }
}
