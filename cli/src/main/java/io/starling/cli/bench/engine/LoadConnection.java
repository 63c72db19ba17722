package io.starling.cli.bench.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.starling.cli.bench.stats.ConnectionCounts;
import io.starling.cli.bench.stats.LatencyStats;
import io.starling.cli.bench.wire.Acks;
import io.starling.cli.bench.wire.PublishFrame;
import io.starling.codec.decode.PacketDecodeException;
import io.starling.codec.decode.PacketDecoder;
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
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.SingleWriterRecorder;
import org.jspecify.annotations.Nullable;

/**
 * One bench connection, the only handler of its pipeline: it frames what the broker sends with
 * the codec's client-side {@link PacketDecoder} (PUBLISH with the allocation-free
 * {@link PublishFrame}), runs the CONNECT / CONNACK (and SUBSCRIBE /
 * SUBACK) handshake, answers deliveries (PUBACK at QoS 1; PUBREC, then PUBCOMP on PUBREL at QoS
 * 2), hands acknowledgements of its own messages to its {@link Publisher} and deliveries to its
 * {@link Subscriber}, and keeps the connection alive with PINGREQ. Acknowledgements of one read
 * are appended to one buffer and written and flushed once, when the read is complete.
 * In MQTT 5.0 it also keeps to the {@link ServerLimits} of CONNACK, counts acknowledgements with
 * a failure reason code as refusals, and ends on a DISCONNECT from the broker, reporting its
 * reason code. Everything runs on the channel's event loop but {@link #disconnect()}.
 */
final class LoadConnection extends ByteToMessageDecoder {
    /** CONNACK (and SUBACK) must come within this time of the TCP connection. */
    static final long HANDSHAKE_TIMEOUT_SECONDS = 10;

    private enum State { CONNECTING, SUBSCRIBING, READY, CLOSING }

    private final String clientId;
    private final Connect connect;
    private final @Nullable Subscription subscription;
    private final @Nullable Publisher publisher;
    private final @Nullable Subscriber subscriber;
    private final PacketEncoder encoder;
    private final PacketDecoder decoder;
    private final ConnectionCounts counts;
    private final LatencyStats connectTimes;
    private final CompletableFuture<LoadConnection> ready = new CompletableFuture<>();
    private @Nullable ChannelHandlerContext ctx;
    private State state = State.CONNECTING;
    private boolean wasReady;
    private @Nullable String closeReason;
    private long connectStart;
    private long lastWrite;
    private boolean needsFlush;
    private @Nullable ByteBuf acks;
    private @Nullable ScheduledFuture<?> timer;
    private @Nullable BitSet inboundQos2;
    private final PublishFrame frame;
    /** Seconds: the CONNECT's, or a 5.0 broker's Server Keep Alive. */
    private int keepAlive;

    LoadConnection(String clientId, Connect connect, @Nullable Subscription subscription, @Nullable Publisher publisher,
            @Nullable Subscriber subscriber, ConnectionCounts counts, LatencyStats connectTimes) {
        this.clientId = clientId;
        this.connect = connect;
        this.subscription = subscription;
        this.publisher = publisher;
        this.subscriber = subscriber;
        this.encoder = new PacketEncoder(connect.version());
        this.decoder = PacketDecoder.forClient(connect.version(), PacketDecoder.MAX_PACKET_SIZE);
        this.frame = new PublishFrame(connect.version());
        this.keepAlive = connect.keepAlive();
        this.counts = counts;
        this.connectTimes = connectTimes;
    }

    /** Completes when CONNACK (and SUBACK, for a subscriber) accepted the connection; fails otherwise. */
    CompletableFuture<LoadConnection> ready() {
        return ready;
    }

    /** The TCP connection could not be made. */
    void connectFailed(String reason) {
        counts.onFailed(reason);
        ready.completeExceptionally(new BenchException(reason));
    }

    // ---- channel events ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (publisher != null) {
            publisher.attach(this);
        }
        if (subscriber != null) {
            subscriber.attach(ctx.executor());
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connectStart = System.nanoTime();
        timer = ctx.executor().schedule(() -> fail("no CONNACK" + (subscription != null ? " and SUBACK" : "")
                + " within " + HANDSHAKE_TIMEOUT_SECONDS + " s"), HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        writePacket(connect);
        flush();
        ctx.fireChannelActive();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        long now = System.nanoTime();
        while (in.isReadable()) {
            if (state == State.CLOSING) {
                in.skipBytes(in.readableBytes());
                return;
            }
            // after CONNACK; before it the codec refuses a PUBLISH [MQTT-3.2.0-1]
            if (state != State.CONNECTING && PublishFrame.isPublish(in)) {
                if (!readPublish(in, now)) {
                    return;
                }
                continue;
            }
            Packet packet;
            try {
                packet = decoder.decode(in);
            } catch (PacketDecodeException e) {
                in.skipBytes(in.readableBytes());
                fail("the broker sent a malformed packet: " + e.getMessage());
                return;
            }
            if (packet == null) {
                return;
            }
            handle(packet, now);
        }
    }

    /** Handles the PUBLISH at the reader index; returns false, consuming nothing, when it is not complete yet. */
    private boolean readPublish(ByteBuf in, long now) {
        PublishFrame frame = this.frame;
        if (!frame.read(in)) {
            return false;
        }
        String malformed = frame.malformed();
        if (malformed != null) {
            in.skipBytes(in.readableBytes());
            fail("the broker sent a malformed packet: " + malformed);
            return false;
        }
        int packetId = frame.packetId();
        boolean isNew = true;
        if (frame.qos() == 2) {
            BitSet pending = inboundQos2;
            if (pending == null) {
                pending = inboundQos2 = new BitSet(65_536);
            }
            // [MQTT-4.3.3-2] a PUBLISH re-sent before PUBREL is the same message
            isNew = !pending.get(packetId);
            pending.set(packetId);
        }
        if (isNew && subscriber != null) {
            subscriber.onMessage(in, frame.payloadIndex(), frame.payloadLength(), now);
        }
        if (frame.qos() == 1) {
            ack(Acks.PUBACK, packetId);
        } else if (frame.qos() == 2) {
            ack(Acks.PUBREC, packetId);
        }
        in.readerIndex(frame.end());
        return true;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        ByteBuf pending = acks;
        if (pending != null) {
            acks = null;
            write(pending);
        }
        if (publisher != null) {
            publisher.afterRead();
        }
        if (subscriber != null) {
            subscriber.afterRead();
        }
        flush();
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (publisher != null && ctx.channel().isWritable()) {
            publisher.onWritable();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail("I/O error: " + cause.getMessage());
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        ByteBuf pending = acks;
        if (pending != null) {
            acks = null;
            pending.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelTimer();
        if (publisher != null) {
            publisher.onClosed();
        }
        if (wasReady) {
            counts.onClosed(state == State.CLOSING && closeReason == null ? null
                    : clientId + ": " + (closeReason != null ? closeReason : "the broker closed the connection"));
        } else if (!ready.isDone()) {
            String reason = clientId + ": " + (closeReason != null ? closeReason
                    : "the broker closed the connection before " + (state == State.CONNECTING ? "CONNACK" : "SUBACK"));
            counts.onFailed(reason);
            ready.completeExceptionally(new BenchException(reason));
        }
        state = State.CLOSING;
        super.channelInactive(ctx);
    }

    // ---- packets from the broker ----

    /** One packet but PUBLISH; kept short (rare cases in methods of their own) so that the JIT inlines it into decode. */
    private void handle(Packet packet, long now) {
        // Java 17: no pattern matching for switch yet
        if (packet instanceof Publish p) {
            // framed by readPublish once connected; the codec lets none through before
            p.release();
            fail("unexpected PUBLISH");
        } else if (packet instanceof PubAck a) {
            // 3.1.1 acknowledgements decode with reason code Success; a 5.0 broker refuses a message with 0x80 or more
            Publisher pub = publisher;
            if (pub != null) {
                pub.onPubAck(a.packetId(), a.reasonCode(), now);
            }
        } else if (packet instanceof PubRec r) {
            Publisher pub = publisher;
            if (pub != null && pub.onPubRec(r.packetId(), r.reasonCode())) {
                ack(Acks.PUBREL, r.packetId());
            }
        } else if (packet instanceof PubComp c) {
            Publisher pub = publisher;
            if (pub != null) {
                pub.onPubComp(c.packetId(), c.reasonCode(), now);
            }
        } else if (packet instanceof PubRel r) {
            // [MQTT-4.3.3-2] the packet identifier may now be reused for a new message
            if (inboundQos2 != null) {
                inboundQos2.clear(r.packetId());
            }
            ack(Acks.PUBCOMP, r.packetId());
        } else if (packet instanceof ConnAck c) {
            onConnAck(c, now);
        } else if (packet instanceof SubAck s) {
            onSubAck(s);
        } else if (packet instanceof Disconnect d) {
            onDisconnect(d);
        } else if (!(packet instanceof PingResp)) {
            fail("unexpected " + packet.type() + " from the broker");
        }
    }

    /** 5.0 only (the codec refuses it from an older broker): the broker ends the connection, and says why. */
    private void onDisconnect(Disconnect disconnect) {
        fail("the broker sent DISCONNECT " + reason(disconnect.reasonCode(), disconnect.properties()));
    }

    private void onConnAck(ConnAck connAck, long now) {
        if (connAck.reasonCode().isError()) {
            fail("the broker refused the connection: " + reason(connAck.reasonCode(), connAck.properties()));
            return;
        }
        if (connect.version().isV5() && !keepTo(ServerLimits.of(connAck, connect.keepAlive()))) {
            return;
        }
        LatencyStats.record(connectTimes.recorderFor(ctx().executor()), now - connectStart);
        Subscription sub = subscription;
        if (sub != null) {
            state = State.SUBSCRIBING;
            writePacket(subscribe(sub));
        } else {
            becomeReady();
        }
    }

    private static Subscribe subscribe(Subscription subscription) {
        return new Subscribe(1, List.of(subscription));
    }

    /** Applies a 5.0 CONNACK's limits; false, having failed the connection, when the bench cannot keep to them. */
    private boolean keepTo(ServerLimits limits) {
        Publisher pub = publisher;
        Subscription sub = subscription;
        int largest = Math.max(pub != null ? pub.packetSize() : 0, sub != null ? encoder.encodedSize(subscribe(sub)) : 0);
        String violation = limits.violation(pub != null ? pub.qos() : null, largest);
        if (violation != null) {
            fail(violation);
            return false;
        }
        if (pub != null) {
            pub.limitInflight(limits.receiveMaximum());
        }
        keepAlive = limits.keepAlive();
        return true;
    }

    private void onSubAck(SubAck subAck) {
        if (state != State.SUBSCRIBING || subAck.packetId() != 1) {
            fail("unexpected SUBACK " + subAck.packetId());
            return;
        }
        ReasonCode code = subAck.reasonCodes().get(0);
        if (code.isError()) {
            fail("the broker refused the subscription to '" + (subscription != null ? subscription.topicFilter() : "")
                    + "': " + reason(code, subAck.properties()));
            return;
        }
        becomeReady();
    }

    private void becomeReady() {
        state = State.READY;
        wasReady = true;
        cancelTimer();
        if (keepAlive > 0) {
            // half the keep alive, so that the broker hears from us well within 1.5 times it [MQTT-3.1.2-24]
            long period = TimeUnit.SECONDS.toNanos(keepAlive) / 2;
            timer = ctx().executor().scheduleAtFixedRate(() -> keepAlive(period), period, period, TimeUnit.NANOSECONDS);
        }
        counts.onReady();
        ready.complete(this);
    }

    /**
     * A refusal's reason code as the broker sent it, in 5.0 "0x87 NOT_AUTHORIZED" with the Reason
     * String and Server Reference when present; in 3.1 and 3.1.1 the name of the code only, as
     * its byte on the wire was a return code.
     */
    private String reason(ReasonCode code, Properties properties) {
        if (!connect.version().isV5()) {
            return code.toString();
        }
        StringBuilder out = new StringBuilder(describe(code));
        properties.string(PropertyId.REASON_STRING).ifPresent(s -> out.append(": ").append(s));
        properties.string(PropertyId.SERVER_REFERENCE).ifPresent(s -> out.append(" (server reference: ").append(s).append(')'));
        return out.toString();
    }

    /** A 5.0 reason code with its byte: "0x97 QUOTA_EXCEEDED". */
    static String describe(ReasonCode code) {
        return String.format(Locale.ROOT, "0x%02X %s", code.value(), code);
    }

    /** Appends an acknowledgement to this read's batch. */
    private void ack(int type, int packetId) {
        ByteBuf batch = acks;
        if (batch == null) {
            batch = acks = ctx().alloc().directBuffer(256);
        }
        Acks.write(batch, type, packetId);
    }

    private void keepAlive(long period) {
        if (state == State.READY && System.nanoTime() - lastWrite >= period) {
            writePacket(PingReq.INSTANCE);
            flush();
        }
    }

    // ---- writing, for this connection and its publisher ----

    ByteBufAllocator alloc() {
        return ctx().alloc();
    }

    EventExecutor executor() {
        return ctx().executor();
    }

    boolean isWritable() {
        return ctx().channel().isWritable();
    }

    /** Queues {@code buf} for writing; {@link #flush()} sends it. */
    void write(ByteBuf buf) {
        ChannelHandlerContext c = ctx();
        c.write(buf, c.voidPromise());
        needsFlush = true;
    }

    void flush() {
        if (needsFlush) {
            needsFlush = false;
            lastWrite = System.nanoTime();
            ctx().flush();
        }
    }

    private void writePacket(Packet packet) {
        write(encoder.encode(ctx().alloc(), packet));
    }

    /** Sends DISCONNECT and closes; from any thread. The future completes when the channel is closed. */
    CompletableFuture<Void> disconnect() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        ChannelHandlerContext c = ctx;
        if (c == null) {
            closed.complete(null);
            return closed;
        }
        c.channel().closeFuture().addListener(f -> closed.complete(null));
        c.executor().execute(() -> {
            if (state == State.CLOSING || !c.channel().isActive()) {
                c.close();
                return;
            }
            state = State.CLOSING;
            cancelTimer();
            if (wasReady) {
                ChannelFuture written = c.writeAndFlush(encoder.encode(c.alloc(), Disconnect.NORMAL));
                written.addListener(ChannelFutureListener.CLOSE);
            } else {
                c.close();
            }
        });
        return closed;
    }

    /** Closes the connection for {@code reason}: a failed handshake, or a lost connection once ready. */
    private void fail(String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        if (!ready.isDone()) {
            String described = clientId + ": " + reason;
            counts.onFailed(described);
            ready.completeExceptionally(new BenchException(described));
        }
        state = State.CLOSING;
        cancelTimer();
        ctx().close();
    }

    private void cancelTimer() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            timer = null;
            t.cancel(false);
        }
    }

    private ChannelHandlerContext ctx() {
        ChannelHandlerContext c = ctx;
        if (c == null) {
            throw new IllegalStateException("the connection has no channel yet");
        }
        return c;
    }
}
