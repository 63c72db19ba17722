package io.starling.broker.internal.protocol;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.internal.limits.InboundByteMeter;
import io.starling.broker.internal.limits.InboundThrottle;
import io.starling.broker.internal.limits.LiveLimits;
import io.starling.broker.internal.routing.Subscriber;
import io.starling.broker.internal.session.ClientConnection;
import io.starling.broker.internal.session.Session;
import io.starling.broker.metrics.BrokerMetrics;
import io.starling.broker.metrics.CloseReason;
import io.starling.broker.model.Message;
import io.starling.codec.decode.PacketDecodeException;
import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.encode.PacketEncoder;
import io.starling.codec.packet.Auth;
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
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Unsubscribe;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.PacketType;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
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

    private static final AtomicReferenceFieldUpdater<Connection, Session.PendingWill> WILL =
            AtomicReferenceFieldUpdater.newUpdater(Connection.class, Session.PendingWill.class, "will");
    private static final AtomicIntegerFieldUpdater<Connection> UNACKED =
            AtomicIntegerFieldUpdater.newUpdater(Connection.class, "inboundUnacked");

    /** How long a taken-over connection is still read before it is closed: one turn of its event loop. */
    private static final long TAKE_OVER_GRACE_MICROS = 1000;

    private final Flows flows;
    private final BrokerConfig.Listener listener;
    private final PacketDecoder decoder;
    private @Nullable Channel channel;
    /** The client as the transport told it (PROXY protocol, client certificate); null: the socket's address only. */
    private volatile @Nullable Peer peer;
    /** Made for MQTT 5.0 clients only: their limits and topic aliases. */
    private @Nullable Mqtt5State v5;
    /** QoS 1 and 2 PUBLISHes from the client not yet answered by PUBACK or PUBCOMP (5.0 Receive Maximum). */
    @SuppressWarnings("UnusedVariable") // used through UNACKED
    private volatile int inboundUnacked;
    /** The QoS 1 and 2 messages that may be in flight to the client. */
    private int sendWindow;
    /** The enhanced authentication exchange in progress, at CONNECT or a re-authentication; null when none. */
    private EnhancedAuthFlow.@Nullable Exchange authExchange;
    /** The Authentication Method the CONNECT was authenticated with, or null. */
    private @Nullable String authMethod;
    /** What the client sent behind its CONNECT while the CONNECT is checked off the event loop; null otherwise. */
    private @Nullable ArrayDeque<Object> heldPackets;
    /** How many waits hold the packets (see {@link #holdPackets}); event loop only. */
    private int holds;
    /** Whether channelInactive ran; guarded by {@code this}. */
    private boolean inactive;
    /** What waits for the close (a take-over's attach); guarded by {@code this}, made on first use. */
    private @Nullable List<Runnable> onClosed;
    /** The Maximum Packet Size of the CONNECT, for a refusing CONNACK (the 5.0 state comes only with acceptance). */
    private int connectMaxPacketSize = Integer.MAX_VALUE;
    /** Whether the 5.0 CONNACK went out: only then may the broker send DISCONNECT [MQTT-3.14.0-1]. */
    private volatile boolean connAckSent;
    /** Knows the protocol version, too: the connection keeps no separate field for it. */
    private PacketEncoder encoder = encoderFor(MqttVersion.V3_1_1);
    private @Nullable Session session;
    private String clientId = "";
    /** The user name the client was authenticated as (for ACLs), or null for an anonymous client. */
    private volatile @Nullable String username;
    /** The keep alive of the accepted CONNECT in seconds, or {@link KeepAlive#AWAITING_CONNECT} before one. */
    private int keepAlive = KeepAlive.AWAITING_CONNECT;
    /**
     * When the CONNECT was accepted (epoch milliseconds), 0 before. Written last by {@link
     * #accepted}: a thread that reads it non-zero sees the client identifier, version and keep
     * alive set before it.
     */
    private volatile long connectedAtMillis;
    /** Whether the accepted CONNECT asked for a clean session; for the log only. */
    private boolean cleanStart;
    /** {@link System#nanoTime()} when the client was last read from, or the keep alive (re)started. */
    private long lastRead;
    private @Nullable ScheduledFuture<?> keepAliveTimer;
    /** The will and its delay, until published or discarded; taken at most once (see {@link #takeWill}). */
    private volatile Session.@Nullable PendingWill will;
    private volatile @Nullable String closeReason;
    /** Why the connection ends, for the metrics; the first reason found stands, as for {@link #closeReason}. */
    private volatile @Nullable CloseReason closeCause;
    private boolean closing;
    private boolean needsFlush;
    /** Not reading, to hold the client back while a subscriber it publishes to has a full queue. */
    private boolean heldBack;
    /** Pauses the reading while the client sends faster than the inbound rate limits; made when a limit first applies. */
    private @Nullable InboundThrottle throttle;

    public Connection(Flows flows, BrokerConfig.Listener listener, PacketDecoder decoder) {
        this.flows = flows;
        this.listener = listener;
        this.decoder = decoder;
        this.sendWindow = flows.maxInflightMessages();
    }

    BrokerConfig.Listener listener() {
        return listener;
    }

    /** The client at the other end: the address a PROXY header named or the socket's, and any certificate identity. */
    public Peer peer() {
        Peer known = peer;
        if (known != null) {
            return known;
        }
        Channel ch = channel;
        SocketAddress remote = ch == null ? null : ch.remoteAddress();
        return new Peer(remote instanceof InetSocketAddress inet ? inet : new InetSocketAddress(0), null);
    }

    /** The user name the client was let in as (the CONNECT's, or its certificate's); null: anonymous. */
    public @Nullable String username() {
        return username;
    }

    /** Set by the connect flow when the client is let in. */
    void username(@Nullable String username) {
        this.username = username;
    }

    /** Set by the transport before the CONNECT is read: the real client address, the certificate identity. */
    public void peer(Peer peer) {
        this.peer = peer;
    }

    // ---- inbound, on the connection's event loop ----

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        flows.metrics().connectionsOpened.increment();
        flows.channels().add(ctx.channel());
        if (flows.limits().current().maxInboundByteRate() != 0) {
            // counts what comes off the socket; a connection opened without a byte rate pays nothing
            ctx.pipeline().addFirst(InboundByteMeter.NAME, new InboundByteMeter(n -> throttle().bytesRead(n)));
        }
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
        ArrayDeque<Object> held = heldPackets;
        if (held != null) {
            held.add(msg);
            return;
        }
        read(msg);
    }

    private void read(Object msg) {
        if (msg instanceof PacketDecodeException failure) {
            onDecodeFailure(failure);
            return;
        }
        Packet packet = (Packet) msg;
        if (log.isDebugEnabled()) {
            log.debug("{} <- {}", clientId.isEmpty() ? peer().address() : clientId, packet);
        }
        if (packet instanceof Connect c) {
            connectMaxPacketSize = (int) Math.min(Integer.MAX_VALUE,
                    c.properties().integer(PropertyId.MAXIMUM_PACKET_SIZE).orElse(Integer.MAX_VALUE));
            flows.connect().onConnect(this, c);
            return;
        }
        EnhancedAuthFlow.Exchange exchange = authExchange;
        if (exchange != null && exchange.pending != null && !closing) {
            // the CONNECT is still being authenticated: only AUTH or DISCONNECT may come [MQTT-3.1.2-30]
            if (packet instanceof Auth a) {
                flows.connect().enhancedAuth().onAuth(this, exchange, null, a);
            } else if (packet instanceof Disconnect) {
                closing = true;
                close(CloseReason.CLIENT_DISCONNECT, "client sent DISCONNECT during authentication");
            } else {
                flows.connect().enhancedAuth().outOfTurn(this, exchange, packet.type().toString());
            }
            ReferenceCountUtil.release(packet);
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
            if (flows.limits().current().maxInboundMessageRate() != 0) {
                throttle().publishRead();
            }
            Message message = v5 != null ? received5(p) : received(p);
            int packetId = p.packetId();
            p.release();
            if (message != null) {
                s.submit(() -> flows.publishIn().onPublish(s, this, message, packetId));
            }
        } else if (packet instanceof PubAck a) {
            s.submit(() -> flows.publishOut().onPubAck(s, a.packetId()));
        } else if (packet instanceof PubRec r) {
            s.submit(() -> flows.publishOut().onPubRec(s, this, r.packetId(), r.reasonCode()));
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
        } else if (packet instanceof Disconnect d) {
            onDisconnect(s, d);
        } else if (packet instanceof Auth a) {
            flows.connect().enhancedAuth().onAuth(this, authExchange, authMethod, a);
        } else {
            close(CloseReason.PROTOCOL_ERROR, "unexpected " + packet.type());
        }
    }

    /** A 3.1 or 3.1.1 PUBLISH as a message; null (and the connection closing) when the broker's limits refuse it. */
    private @Nullable Message received(Publish p) {
        if (!allowedByLimits(p) || !topicAllowed(p.topic())) {
            return null;
        }
        return new Message(p.topic(), p.qos(), p.retained(), ByteBufUtil.getBytes(p.payload()), clientId);
    }

    /**
     * A 5.0 PUBLISH as a message: its topic alias resolved, its properties checked and kept, its
     * expiry made a deadline; null when it breaks a rule, and the client is then disconnected
     * with the reason code.
     */
    private @Nullable Message received5(Publish p) {
        Mqtt5State state = Objects.requireNonNull(v5);
        String topic = p.topic();
        Properties properties = p.properties();
        if (!properties.isEmpty()) {
            long alias = properties.integer(PropertyId.TOPIC_ALIAS).orElse(0);
            if (alias != 0) {
                if (alias > state.inboundAliasMaximum()) {
                    // [MQTT-3.3.2-9] above the Topic Alias Maximum the broker sent
                    disconnect(ReasonCode.TOPIC_ALIAS_INVALID, "topic alias " + alias + " is above the maximum of "
                            + state.inboundAliasMaximum());
                    return null;
                }
                String resolved = state.resolveInbound(topic, (int) alias);
                if (resolved == null) {
                    disconnect(ReasonCode.PROTOCOL_ERROR, "topic alias " + alias + " was never set on this connection");
                    return null;
                }
                topic = resolved;
            }
        }
        if (!allowedByLimits(p) || !topicAllowed(topic)) {
            return null;
        }
        byte[] payload = ByteBufUtil.getBytes(p.payload());
        if (!MessageProperties.isUtf8(properties, payload)) {
            disconnect(ReasonCode.PAYLOAD_FORMAT_INVALID, "the payload is marked UTF-8 (Payload Format Indicator 1) but is not");
            return null;
        }
        if (p.qos() != QoS.AT_MOST_ONCE && !p.dup() && UNACKED.incrementAndGet(this) > flows.mqtt5().receiveMaximum()) {
            // [MQTT-3.3.4-9] more unacknowledged QoS 1 and 2 PUBLISHes than the Receive Maximum the broker sent
            disconnect(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED, "more than " + flows.mqtt5().receiveMaximum()
                    + " QoS 1 and 2 PUBLISHes unacknowledged");
            return null;
        }
        return new Message(topic, p.qos(), p.retained(), payload, clientId, MessageProperties.forwarded(properties),
                MessageProperties.expiresAt(properties, properties.isEmpty() ? 0 : System.currentTimeMillis()));
    }

    /** Whether the PUBLISH stays within {@code maximum_qos} and {@code retain_available}; disconnects the client if not. */
    private boolean allowedByLimits(Publish p) {
        BrokerConfig.Mqtt5 limits = flows.mqtt5();
        if (p.qos().value() > limits.maximumQos().value()) {
            // [MQTT-3.2.2-11] above the Maximum QoS the broker sent
            disconnect(ReasonCode.QOS_NOT_SUPPORTED, "QoS " + p.qos().value() + " is above the maximum of " + limits.maximumQos().value());
            return false;
        }
        if (p.retained() && !limits.retainAvailable()) {
            // [MQTT-3.2.2-14] RETAIN 1 while Retain Available is 0
            disconnect(ReasonCode.RETAIN_NOT_SUPPORTED, "retained messages are not available on this broker");
            return false;
        }
        return true;
    }

    /**
     * Whether {@code topic} keeps {@code max_topic_levels} and {@code max_topic_length}; if not,
     * the client is disconnected, with 0x90 Topic Name invalid in 5.0, as Mosquitto and EMQX do.
     */
    private boolean topicAllowed(String topic) {
        String refused = flows.limits().topicRefused(topic);
        if (refused == null) {
            return true;
        }
        disconnect(ReasonCode.TOPIC_NAME_INVALID, "topic " + refused);
        return false;
    }

    private InboundThrottle throttle() {
        InboundThrottle t = throttle;
        if (t == null) {
            t = throttle = new InboundThrottle(flows.limits(), flows.metrics(), channel(), this::readIfAllowed);
        }
        return t;
    }

    /**
     * The one place that turns reading on or off for flow control: the client is read unless a
     * subscriber it publishes to is full ({@link #heldBack}), it is over its inbound rates
     * ({@link #throttle}), or the connection is closing.
     */
    private void readIfAllowed() {
        Channel ch = channel;
        if (ch != null) {
            ch.config().setAutoRead(!heldBack && !throttled() && !closing);
        }
    }

    private boolean throttled() {
        InboundThrottle t = throttle;
        return t != null && t.paused();
    }

    /** The broker's counters; for the flows that count what they refuse. */
    BrokerMetrics metrics() {
        return flows.metrics();
    }

    /** The limits against abuse and overload, as they are now; for the connect flow. */
    LiveLimits limits() {
        return flows.limits();
    }

    private void onDisconnect(Session s, Disconnect d) {
        Mqtt5State state = v5;
        if (state != null) {
            long expiry = d.properties().integer(PropertyId.SESSION_EXPIRY_INTERVAL).orElse(-1);
            if (expiry > 0 && state.connectExpiry == 0) {
                // a session that was to end with the connection cannot be kept now (section 3.14.2.2.2)
                disconnect(ReasonCode.PROTOCOL_ERROR, "DISCONNECT sets a Session Expiry Interval after CONNECT set 0");
                return;
            }
            if (expiry >= 0) {
                long capped = flows.sessions().capExpiry(expiry);
                s.submit(() -> {
                    if (s.connection() == this) {
                        s.expirySeconds(capped); // not the session's next owner's, after a take-over
                    }
                });
            }
        }
        if (state == null || d.reasonCode() != ReasonCode.DISCONNECT_WITH_WILL_MESSAGE) {
            // [MQTT-3.14.4-3] discard the will now
            will = null;
        }
        // close once the packets before DISCONNECT are handled and answered (a client may
        // pipeline CONNECT, PUBLISH, DISCONNECT)
        closing = true;
        s.submit(() -> {
            flush();
            close(CloseReason.CLIENT_DISCONNECT,
                    "client sent DISCONNECT" + (d.reasonCode() == ReasonCode.NORMAL_DISCONNECTION ? "" : " " + d.reasonCode()));
        });
    }

    private void onDecodeFailure(PacketDecodeException failure) {
        if (keepAlive == KeepAlive.AWAITING_CONNECT) {
            if (failure.reasonCode() == ReasonCode.UNSUPPORTED_PROTOCOL_VERSION) {
                // [MQTT-3.1.2-2] answer an unknown protocol level with return code 0x01, then close
                closing = true;
                closeReason = "refused: " + failure.getMessage();
                because(CloseReason.REFUSED);
                writeAndClose(encoderFor(MqttVersion.V3_1_1), new ConnAck(false, ReasonCode.UNSUPPORTED_PROTOCOL_VERSION));
                return;
            }
            if (decoder.version() == MqttVersion.V5 && failure.reasonCode().isAllowedIn(PacketType.CONNACK)) {
                // [MQTT-4.13.1-1] a 5.0 CONNECT that breaks a rule is refused with the reason code
                because(CloseReason.PROTOCOL_ERROR);
                refuse(MqttVersion.V5, new ConnAck(false, failure.reasonCode(), reasonString(failure.getMessage())),
                        "protocol error: " + failure.getMessage());
                return;
            }
        }
        if (encoder.version().isV5() && failure.reasonCode().isAllowedIn(PacketType.DISCONNECT)) {
            disconnect(failure.reasonCode(), "protocol error: " + failure.getMessage());
            return;
        }
        // 3.1 and 3.1.1 have no way to say why: the connection is closed [MQTT-4.8.0-1]
        close(CloseReason.PROTOCOL_ERROR, "protocol error: " + failure.getMessage());
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
        if (heldBack || throttled()) {
            // the broker stopped reading, not the client: its PINGREQs wait in the socket
            armKeepAlive(limit);
            return;
        }
        if (keepAlive == KeepAlive.AWAITING_CONNECT) {
            close(CloseReason.CONNECT_TIMEOUT, "no CONNECT within " + KeepAlive.CONNECT_TIMEOUT_SECONDS + " s");
        } else {
            // [MQTT-3.1.2-22] nothing received for 1.5 times the keep alive
            disconnect(ReasonCode.KEEP_ALIVE_TIMEOUT, "keep-alive timeout (" + keepAlive + " s)");
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
        close(CloseReason.CONNECTION_LOST, "I/O error: " + cause.getMessage());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // whoever still holds them: nothing held will be read now
        holds = 0;
        releaseHeldPackets();
        ScheduledFuture<?> timer = keepAliveTimer;
        if (timer != null) {
            timer.cancel(false);
            keepAliveTimer = null;
        }
        CloseReason cause = closeCause;
        flows.metrics().connectionClosed(cause != null ? cause : CloseReason.CONNECTION_LOST);
        Session s = session;
        if (s != null) {
            // the session's mailbox publishes the will, at once or after its delay [MQTT-3.1.2-8]
            Session.PendingWill w = will;
            String reason = closeReason != null ? closeReason : "connection closed by the client";
            log.info("client {} disconnected: {}{}", clientId, reason, w == null ? ""
                    : w.delaySeconds == 0 ? "; will published" : "; will due in " + w.delaySeconds + " s unless the session resumes");
            flows.sessions().closed(s, this);
        }
        List<Runnable> waiting;
        synchronized (this) {
            inactive = true;
            waiting = onClosed;
            onClosed = null;
        }
        if (waiting != null) {
            waiting.forEach(Runnable::run);
        }
        ctx.fireChannelInactive();
    }

    // ---- what the connect flow sets ----

    /** Refuses the CONNECT of {@code version} with {@code code}, then closes [MQTT-3.2.2-5]. */
    void refuse(MqttVersion version, ReasonCode code, String reason) {
        refuse(version, new ConnAck(false, code, version.isV5() ? reasonString(reason) : Properties.EMPTY), reason);
    }

    /**
     * Refuses the CONNECT of {@code version} with {@code refusal}, whose properties an MQTT 3.1 or
     * 3.1.1 CONNACK leaves out, then closes.
     */
    void refuse(MqttVersion version, ConnAck refusal, String reason) {
        ReasonCode code = refusal.reasonCode();
        closing = true;
        closeReason = "refused: " + reason;
        because(CloseReason.REFUSED);
        log.info("client refused from {}: {} (CONNACK {})", peer().address(), reason, code);
        PacketEncoder with = encoderFor(version);
        Packet sent = refusal;
        if (version.isV5() && with.encodedSize(refusal) > connectMaxPacketSize) {
            // [MQTT-3.2.2-19] [MQTT-3.2.2-20] no Reason String or User Properties beyond the client's maximum
            sent = ProblemInformation.strip(refusal);
        }
        writeAndClose(with, sent);
    }

    /**
     * The CONNECT is accepted for {@code clientId}: from now on the connection speaks its version,
     * keeps its will, and watches {@code keepAlive} (the client's, or the Server Keep Alive that
     * replaced it).
     */
    void accepted(String clientId, Connect connect, int keepAlive, @Nullable Message willMessage, long willDelay) {
        this.clientId = clientId;
        this.encoder = encoderFor(connect.version());
        if (connect.version().isV5()) {
            Mqtt5State state = new Mqtt5State(connect, flows.mqtt5().topicAliasMaximum());
            this.v5 = state;
            this.sendWindow = Math.min(flows.maxInflightMessages(), state.receiveMaximum);
        }
        this.will = willMessage == null ? null : new Session.PendingWill(willMessage, willDelay);
        this.keepAlive = keepAlive;
        this.cleanStart = connect.cleanStart();
        // the client's keep alive replaces the CONNECT timeout and counts from the CONNECT
        restartKeepAlive(KeepAlive.limitNanos(keepAlive));
        this.connectedAtMillis = System.currentTimeMillis();
    }

    /**
     * When the client's CONNECT was accepted (epoch milliseconds), or 0 while it has not been.
     * Any thread; once it is not 0, {@link #clientId}, {@link #version} and {@link
     * #keepAliveSeconds} are those of the accepted CONNECT on any thread too.
     */
    public long connectedAtMillis() {
        return connectedAtMillis;
    }

    /** The keep alive in force, in seconds (the client's, or the Server Keep Alive); see {@link #connectedAtMillis}. */
    public int keepAliveSeconds() {
        return Math.max(0, keepAlive);
    }

    /** Whether the connection is up and not closing: a verdict reached off the event loop still applies. */
    boolean open() {
        Channel ch = channel;
        return ch != null && ch.isActive() && !closing;
    }

    /**
     * The CONNECT is being checked off the event loop: stop reading, and keep what was already
     * read behind it (a client may send SUBSCRIBE right after CONNECT) until {@link #releaseHeldPackets}.
     */
    void holdPackets() {
        holds++;
        if (heldPackets == null) {
            heldPackets = new ArrayDeque<>(4);
            channel().config().setAutoRead(false);
        }
    }

    /**
     * The verdict is in: what was held is handled in order as if just read (dropped when the
     * CONNECT was refused), and reading goes on.
     */
    void releaseHeldPackets() {
        if (holds > 1) {
            // another hold (the verdict, then the cluster's claim of the session) still stands
            holds--;
            return;
        }
        holds = 0;
        ArrayDeque<Object> held = heldPackets;
        if (held == null) {
            return;
        }
        heldPackets = null;
        Channel ch = channel;
        if (ch != null && ch.isActive() && !closing) {
            ch.config().setAutoRead(true);
            for (Object msg : held) {
                read(msg);
            }
        } else {
            held.forEach(ReferenceCountUtil::release);
        }
    }

    /** An enhanced authentication exchange starts ({@code exchange}) or ends (null). */
    void authenticating(EnhancedAuthFlow.@Nullable Exchange exchange) {
        this.authExchange = exchange;
    }

    /** The CONNECT was authenticated by enhanced authentication with {@code method}: re-authentication uses it. */
    void authenticatedWith(String method) {
        this.authMethod = method;
    }

    /** Sends an AUTH: at once during the CONNECT's exchange, behind what the session sends after it. */
    void sendAuth(Auth auth) {
        Session s = session;
        if (s == null) {
            Channel ch = channel();
            ch.writeAndFlush(encoderFor(MqttVersion.V5).encode(ch.alloc(), auth), ch.voidPromise());
        } else {
            s.submit(() -> send(auth));
        }
    }

    /** The client identifier of the accepted CONNECT; empty before (see {@link #connectedAtMillis} for other threads). */
    public String clientId() {
        return clientId;
    }

    /** The 5.0 state of the connection, made by {@link #accepted}; null for 3.1 and 3.1.1. */
    @Nullable Mqtt5State mqtt5() {
        return v5;
    }

    void session(Session session) {
        this.session = session;
    }

    void logConnected(boolean sessionPresent) {
        if (keepAlive != KeepAlive.AWAITING_CONNECT && log.isInfoEnabled()) {
            // the will as it is now: gone if a DISCONNECT was read meanwhile
            Session.PendingWill w = will;
            String session = v5 == null
                    ? (cleanStart ? "clean" : "persistent") + " session" + (sessionPresent ? " resumed" : "")
                    : (cleanStart ? "clean start" : "session " + (sessionPresent ? "resumed" : "new")) + ", session expiry "
                            + Objects.requireNonNull(v5).connectExpiry + " s";
            log.info("client {} connected from {} ({}, {}, keep alive {} s{})", clientId, peer().address(),
                    encoder.version(), session, keepAlive, w != null ? ", will on '" + w.will.topic() + "'" : "");
        }
    }

    private void writeAndClose(PacketEncoder with, Packet packet) {
        Channel ch = channel();
        ch.config().setAutoRead(false);
        ch.writeAndFlush(with.encode(ch.alloc(), packet)).addListener(ChannelFutureListener.CLOSE);
    }

    private void close(CloseReason cause, String reason) {
        because(cause);
        if (closeReason == null) {
            closeReason = reason;
        }
        channel().close();
    }

    /** Notes why the connection ends, unless a reason was found before. */
    private void because(CloseReason cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
    }

    /** Why a connection ends when the broker disconnects it with {@code code}. */
    private static CloseReason causeOf(ReasonCode code) {
        return switch (code) {
            case KEEP_ALIVE_TIMEOUT -> CloseReason.KEEP_ALIVE_TIMEOUT;
            case SESSION_TAKEN_OVER -> CloseReason.TAKEN_OVER;
            case SERVER_SHUTTING_DOWN -> CloseReason.SHUTDOWN;
            case ADMINISTRATIVE_ACTION -> CloseReason.ADMINISTRATIVE;
            case NOT_AUTHORIZED, BAD_AUTHENTICATION_METHOD -> CloseReason.REFUSED;
            // the broker sends 0x97 to a stuck subscriber only (PublishOutFlow)
            case QUOTA_EXCEEDED -> CloseReason.STUCK_CLIENT;
            default -> CloseReason.PROTOCOL_ERROR;
        };
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
        Mqtt5State state = v5;
        if (state != null) {
            if (packet instanceof ConnAck) {
                connAckSent = true;
            }
            Packet fitting = within5(state, packet);
            if (fitting == null) {
                if (packet instanceof ConnAck) {
                    // the client cannot take even the bare CONNACK: it could never be served
                    close(CloseReason.PROTOCOL_ERROR, "CONNACK larger than the client's Maximum Packet Size of " + state.maxPacketSize);
                }
                return;
            }
            packet = fitting;
        }
        if (log.isDebugEnabled()) {
            log.debug("{} -> {}", clientId, packet);
        }
        ch.write(encoder.encode(ch.alloc(), packet), ch.voidPromise());
        needsFlush = true;
    }

    /**
     * A packet for a 5.0 client as it may be sent: without Reason String and User Properties when
     * the client asked for no problem information [MQTT-3.1.2-29] or they would make it larger
     * than the client takes [MQTT-3.1.2-25]; null when it is too large even so. Counts the
     * answered PUBLISHes against the broker's Receive Maximum.
     */
    private @Nullable Packet within5(Mqtt5State state, Packet packet) {
        if (packet instanceof PubAck || packet instanceof PubComp
                || (packet instanceof PubRec r && r.reasonCode().isError())) {
            if (UNACKED.decrementAndGet(this) < 0) {
                UNACKED.set(this, 0);
            }
        }
        boolean problemAllowed = state.problemInformation
                || packet instanceof ConnAck || packet instanceof Disconnect || packet instanceof Publish;
        Packet stripped = problemAllowed ? packet : ProblemInformation.strip(packet);
        // sizing a packet costs a pass over its properties: only when the client set a limit
        if (state.maxPacketSize != Integer.MAX_VALUE && encoder.encodedSize(stripped) > state.maxPacketSize) {
            stripped = ProblemInformation.strip(stripped);
            if (encoder.encodedSize(stripped) > state.maxPacketSize) {
                log.debug("client {}: {} not sent, larger than its maximum packet size of {}", clientId, packet.type(),
                        state.maxPacketSize);
                return null;
            }
        }
        return stripped;
    }

    @Override
    public boolean publish(Message message, QoS qos, boolean dup, boolean retain, int packetId, int[] subscriptionIds) {
        Mqtt5State state = v5;
        Publish publish;
        if (state == null) {
            publish = new Publish(message.topic(), qos, dup, retain, packetId, Unpooled.wrappedBuffer(message.payload()));
        } else {
            // checked before an alias is given: a topic the client never receives must not take one
            if (!fits(message, subscriptionIds)) {
                return false;
            }
            String topic = message.topic();
            int alias = state.outboundAlias(topic);
            if (alias > 0) {
                topic = ""; // the client knows the alias: the topic costs two bytes
            }
            Properties properties = MessageProperties.outbound(message,
                    message.expiresAtMillis() == 0 ? 0 : System.currentTimeMillis(), subscriptionIds, Math.abs(alias));
            publish = new Publish(topic, qos, dup, retain, packetId, properties, Unpooled.wrappedBuffer(message.payload()));
        }
        try {
            send(publish);
        } finally {
            publish.release();
        }
        return true;
    }

    @Override
    public boolean fits(Message message, int[] subscriptionIds) {
        Mqtt5State state = v5;
        if (state == null || state.maxPacketSize == Integer.MAX_VALUE) {
            return true;
        }
        // an upper bound: the full topic and forwarded properties, plus an expiry, the identifiers and an alias
        Publish bare = new Publish(message.topic(), QoS.AT_LEAST_ONCE, false, false, 1, message.properties(), Unpooled.EMPTY_BUFFER);
        long size = encoder.encodedSize(bare) + 5L + 5 + 3 + (long) subscriptionIds.length * 5 + message.payload().length;
        return size <= state.maxPacketSize;
    }

    @Override
    public int sendWindow() {
        return sendWindow;
    }

    @Override
    public Session.@Nullable PendingWill takeWill() {
        return WILL.getAndSet(this, null);
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
        readIfAllowed();
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
            readIfAllowed();
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

    /**
     * Closes the connection for {@code reason}: a 5.0 client is sent DISCONNECT with {@code code}
     * (and the reason as Reason String) first [MQTT-4.13.1-1]; 3.1 and 3.1.1 have no way to say why.
     * The will is published, as for any close without the client's DISCONNECT.
     */
    @Override
    public void disconnect(ReasonCode code, String reason) {
        Channel ch = channel;
        if (ch == null || closing) {
            if (ch != null) {
                close(causeOf(code), reason);
            }
            return;
        }
        because(causeOf(code));
        if (closeReason == null) {
            closeReason = reason;
        }
        if (!encoder.version().isV5() || !connAckSent) {
            // [MQTT-3.14.0-1] no DISCONNECT before the CONNACK; 3.1 and 3.1.1 have none to send
            ch.close();
            return;
        }
        closing = true;
        ch.config().setAutoRead(false);
        Disconnect disconnect = new Disconnect(code, reasonString(reason));
        Mqtt5State state = v5;
        Packet sent = state == null ? disconnect : within5(state, disconnect);
        if (sent == null) {
            sent = new Disconnect(code);
        }
        ch.writeAndFlush(encoder.encode(ch.alloc(), sent)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Closes the connection because the broker is stopping; the will is published, as for any close without DISCONNECT. */
    public void closeForShutdown() {
        Channel ch = channel;
        if (ch != null) {
            because(CloseReason.SHUTDOWN);
            // on the event loop, ahead of the close the broker asks for next
            ch.eventLoop().execute(() -> disconnect(ReasonCode.SERVER_SHUTTING_DOWN, "broker shutting down"));
        }
    }

    /**
     * Closes the connection at an operator's request, on its event loop: a 5.0 client is sent
     * DISCONNECT 0x98 Administrative action first; the will is published and a persistent
     * session stays, as for any close without the client's DISCONNECT. Any thread.
     */
    /**
     * Closes the connection because this cluster node lost the majority that decides who owns
     * sessions: a 5.0 client is told 0x9C Use another server, so that it reconnects to a node of
     * the majority.
     */
    public void closeForLostMajority() {
        Channel ch = channel;
        if (ch != null) {
            ch.eventLoop().execute(() -> disconnect(ReasonCode.USE_ANOTHER_SERVER,
                    "this cluster node lost contact with the majority of the cluster"));
        }
    }

    public void closeByAdministrator() {
        Channel ch = channel;
        if (ch != null) {
            ch.eventLoop().execute(() -> disconnect(ReasonCode.ADMINISTRATIVE_ACTION, "disconnected by an administrator"));
        }
    }

    @Override
    public void closeForTakeOver() {
        Channel ch = channel;
        if (ch != null) {
            // on its own event loop, after one more turn of it, so that what the client sent on this
            // connection before it opened the new one (a DISCONNECT ending the session, say) is read
            // first: tasks already queued there would otherwise run before the socket is read again
            ch.eventLoop().schedule(() -> disconnect(ReasonCode.SESSION_TAKEN_OVER,
                    "taken over by a new connection with the same client identifier"), TAKE_OVER_GRACE_MICROS, TimeUnit.MICROSECONDS);
        }
    }

    @Override
    public void whenClosed(Runnable then) {
        boolean now;
        synchronized (this) {
            now = inactive;
            if (!now) {
                List<Runnable> waiting = onClosed;
                if (waiting == null) {
                    waiting = onClosed = new ArrayList<>(1);
                }
                waiting.add(then);
            }
        }
        if (now) {
            then.run();
        }
    }

    @Override
    public void closeForStoreFailure(String reason) {
        because(CloseReason.STORE_FAILURE);
        disconnect(ReasonCode.UNSPECIFIED_ERROR, "the store failed: " + reason);
    }

    private static Properties reasonString(@Nullable String reason) {
        if (reason == null || reason.isEmpty()) {
            return Properties.EMPTY;
        }
        String text = reason.length() > 1000 ? reason.substring(0, 1000) : reason;
        return Properties.of(Property.of(PropertyId.REASON_STRING, text));
    }
}
