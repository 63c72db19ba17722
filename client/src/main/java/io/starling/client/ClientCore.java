package io.starling.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.starling.client.internal.Callbacks;
import io.starling.client.internal.ClientEventLoops;
import io.starling.client.internal.Failures;
import io.starling.client.internal.PacketIds;
import io.starling.client.internal.Wire;
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
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.UnsubAck;
import io.starling.codec.packet.Will;
import io.starling.codec.property.Properties;
import io.starling.codec.wire.Bytes;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind {@code MqttClient}: the connection's life (connect, CONNACK, keep alive,
 * loss, reconnect with back-off, disconnect, close) and the flows that run on it. Every piece of
 * state is confined to one event loop; the public methods hop onto it.
 */
final class ClientCore implements Wire {
    private static final Logger log = LoggerFactory.getLogger(ClientCore.class);

    private enum State { NEW, CONNECTING, CONNECTED, RECONNECTING, DISCONNECTING, IDLE, CLOSED }

    private final MqttClientConfig config;
    private final EventLoop loop;
    private final Callbacks callbacks;
    private final PacketEncoder encoder;
    private final PacketIds ids = new PacketIds();
    private final SubscriptionFlow subscriptions;
    private final PublishOutFlow publishOut;
    private final PublishInFlow publishIn;
    private final ClientPipeline pipeline;

    private State state = State.NEW;
    private @Nullable Channel channel;
    private boolean accepted;
    private volatile boolean connected;
    private long sessionEpoch;
    private @Nullable Throwable lastError;
    private @Nullable CompletableFuture<ConnectResult> connecting;
    private @Nullable CompletableFuture<Void> disconnecting;
    /** The disconnect is close()'s own: complete it here, as close() may be waiting on the callback thread. */
    private boolean disconnectDirect;
    private @Nullable ScheduledFuture<?> reconnectTask;
    private int reconnectAttempt;
    private boolean flushScheduled;
    private long lastReceived;
    private long pingSentAt;

    public ClientCore(MqttClientConfig config) {
        this.config = config;
        this.loop = ClientEventLoops.acquire();
        this.callbacks = new Callbacks(config.callbackExecutor(), config.clientId());
        this.encoder = new PacketEncoder(config.version());
        this.subscriptions = new SubscriptionFlow(this, ids, callbacks, config.maxBufferedMessages(), config.messageListener());
        this.publishOut = new PublishOutFlow(this, ids, callbacks, config.maxInflight(), config.maxBufferedMessages());
        this.publishIn = new PublishInFlow(this, loop, callbacks, subscriptions);
        this.pipeline = new ClientPipeline(config, loop, this);
    }

    public MqttClientConfig config() {
        return config;
    }

    public boolean isConnected() {
        return connected;
    }

    // ---- the API, hopping onto the event loop

    public CompletableFuture<ConnectResult> connect() {
        CompletableFuture<ConnectResult> future = new CompletableFuture<>();
        onLoop(future, () -> {
            if (state != State.NEW && state != State.IDLE) {
                callbacks.fail(future, new MqttClientException("the client is already " + describe(state)));
                return;
            }
            connecting = future;
            state = State.CONNECTING;
            open();
        });
        return future;
    }

    public CompletableFuture<Void> publish(MqttMessage message) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        onLoop(future, () -> {
            if (state == State.CLOSED) {
                callbacks.fail(future, closed());
            } else {
                publishOut.submit(message, future);
            }
        });
        return future;
    }

    public CompletableFuture<SubscribeResult> subscribe(List<Subscription> subs, io.starling.client.@Nullable MessageListener listener) {
        CompletableFuture<SubscribeResult> future = new CompletableFuture<>();
        onLoop(future, () -> {
            if (state == State.CLOSED) {
                callbacks.fail(future, closed());
            } else {
                subscriptions.subscribe(subs, listener, future);
            }
        });
        return future;
    }

    public CompletableFuture<UnsubscribeResult> unsubscribe(List<String> filters) {
        CompletableFuture<UnsubscribeResult> future = new CompletableFuture<>();
        onLoop(future, () -> {
            if (state == State.CLOSED) {
                callbacks.fail(future, closed());
            } else {
                subscriptions.unsubscribe(filters, future);
            }
        });
        return future;
    }

    public CompletableFuture<Void> disconnect() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        onLoop(future, () -> disconnectOnLoop(future, false));
        return future;
    }

    public void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!loop.isShuttingDown()) {
            loop.execute(() -> disconnectOnLoop(done, true));
            try {
                done.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.debug("disconnect on close did not finish cleanly", e);
            }
        }
        CompletableFuture<Void> closedNow = new CompletableFuture<>();
        if (!loop.isShuttingDown()) {
            loop.execute(() -> {
                if (state != State.CLOSED) {
                    state = State.CLOSED;
                    MqttClientException cause = closed();
                    publishOut.failAll(cause);
                    subscriptions.failAll(cause);
                    if (channel != null) {
                        channel.close();
                    }
                    ClientEventLoops.release();
                }
                closedNow.complete(null);
            });
            try {
                closedNow.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.debug("closing the client did not finish cleanly", e);
            }
        }
        callbacks.shutdown();
    }

    // ---- Wire

    @Override
    public boolean ready() {
        return accepted && channel != null && channel.isActive();
    }

    @Override
    public boolean writable() {
        return channel != null && channel.isWritable();
    }

    @Override
    public io.netty.util.concurrent.Future<Void> send(Packet packet) {
        Channel ch = channel;
        if (ch == null) {
            ReferenceCountUtil.release(packet);
            return loop.newFailedFuture(new MqttClientException("not connected"));
        }
        ChannelFuture written;
        try {
            trace(packet, true);
            written = ch.write(encoder.encode(ch.alloc(), packet));
        } finally {
            ReferenceCountUtil.release(packet);
        }
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(this::flush);
        }
        return written;
    }

    @Override
    public long sessionEpoch() {
        return sessionEpoch;
    }

    // ---- the connection's life

    private void open() {
        lastError = null;
        ChannelFuture connected;
        try {
            connected = pipeline.connect();
        } catch (RuntimeException e) {
            connectFailed(e instanceof MqttClientException ? e : new MqttClientException(Failures.message(e), e));
            return;
        }
        Channel ch = connected.channel();
        channel = ch;
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                if (channel == ch) {
                    lastError = new MqttClientException("cannot connect to " + config.host() + ":" + config.port() + ": "
                            + Failures.networkReason(f.cause()), f.cause());
                    onClosed(ch);
                }
                return;
            }
            ch.closeFuture().addListener(closed -> onClosed(ch));
            sendConnect(ch);
        });
        loop.schedule(() -> {
            if (channel == ch && !accepted) {
                lastError = new MqttClientException("no CONNACK from " + config.host() + ":" + config.port()
                        + " within " + config.connectTimeout().toMillis() + " ms");
                ch.close();
            }
        }, config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The TLS handshake on {@code ch} failed: the reason the connection is about to close. */
    void onTlsFailure(Channel ch, Throwable cause) {
        if (channel == ch && lastError == null) {
            lastError = new MqttClientException("TLS handshake with " + config.host() + ":" + config.port()
                    + " failed: " + Failures.networkReason(cause), cause);
        }
    }

    private void sendConnect(Channel ch) {
        if (channel != ch) {
            return;
        }
        MqttMessage w = config.will();
        Will will = w == null ? null : new Will(w.topic(), Bytes.of(w.payload()), w.qos(), w.retain(), w.properties());
        Bytes password = config.password() == null ? null : Bytes.of(config.password());
        send(new Connect(config.version(), config.clientId(), config.cleanSession(), (int) config.keepAlive().toSeconds(),
                config.username(), password, will, Properties.EMPTY));
    }

    /** Every packet from the server, on the event loop. */
    void onPacket(Channel ch, Object msg) {
        if (ch != channel) {
            ReferenceCountUtil.release(msg);
            return;
        }
        lastReceived = System.nanoTime();
        if (msg instanceof Packet packet) {
            trace(packet, false);
        }
        try {
            if (msg instanceof PacketDecodeException e) {
                protocolError(ch, "the server sent a malformed packet: " + e.getMessage());
            } else if (msg instanceof ConnAck ack) {
                onConnAck(ch, ack);
            } else if (!accepted) {
                ReferenceCountUtil.release(msg);
                protocolError(ch, "the server sent " + ((Packet) msg).type() + " before CONNACK");
            } else if (msg instanceof Publish publish) {
                publishIn.onPublish(publish);
            } else if (msg instanceof PubAck ack) {
                publishOut.onPubAck(ack.packetId());
            } else if (msg instanceof PubRec rec) {
                publishOut.onPubRec(rec.packetId());
            } else if (msg instanceof PubComp comp) {
                publishOut.onPubComp(comp.packetId());
            } else if (msg instanceof PubRel rel) {
                publishIn.onPubRel(rel.packetId());
            } else if (msg instanceof SubAck ack) {
                subscriptions.onSubAck(ack);
            } else if (msg instanceof UnsubAck ack) {
                subscriptions.onUnsubAck(ack);
            } else if (msg instanceof PingResp) {
                pingSentAt = 0;
            } else {
                ReferenceCountUtil.release(msg);
                protocolError(ch, "the server sent " + ((Packet) msg).type() + ", which a client does not accept");
            }
        } catch (MqttClientException e) {
            protocolError(ch, Failures.message(e));
        }
    }

    private void onConnAck(Channel ch, ConnAck ack) {
        if (accepted) {
            protocolError(ch, "the server sent a second CONNACK");
            return;
        }
        if (ack.reasonCode().isError()) {
            String reason = Failures.refusal(ack);
            lastError = new ConnectionRefusedException(ack.reasonCode(), reason);
            ch.close();
            return;
        }
        accepted = true;
        connected = true;
        reconnectAttempt = 0;
        boolean resumed = ack.sessionPresent() && !config.cleanSession();
        if (!resumed) {
            sessionEpoch++;
        }
        State before = state;
        state = State.CONNECTED;
        ConnectResult result = new ConnectResult(ack.sessionPresent(), ack.reasonCode());
        log.debug("connected to {}:{} as {} (session present: {})", config.host(), config.port(), config.clientId(), ack.sessionPresent());
        publishIn.onConnected(resumed);
        subscriptions.onConnected(resumed);
        publishOut.onConnected(resumed);
        if (before == State.CONNECTING && connecting != null) {
            callbacks.complete(connecting, result);
            connecting = null;
        }
        ConnectionListener listener = config.connectionListener();
        if (listener != null) {
            callbacks.execute(() -> listener.connected(result));
        }
    }

    /** The channel closed, for whatever reason; on the event loop. */
    private void onClosed(Channel ch) {
        if (ch != channel) {
            return;
        }
        channel = null;
        boolean wasAccepted = accepted;
        accepted = false;
        connected = false;
        pingSentAt = 0;
        subscriptions.onDisconnected();
        Throwable cause = lastError != null ? lastError
                : new MqttClientException(wasAccepted ? "the server closed the connection" : "the connection closed before CONNACK");
        switch (state) {
            case CONNECTING -> {
                state = State.IDLE;
                if (connecting != null) {
                    callbacks.fail(connecting, cause);
                    connecting = null;
                }
            }
            case DISCONNECTING -> {
                state = State.IDLE;
                finishDisconnect();
            }
            case CONNECTED, RECONNECTING -> {
                boolean retry = config.reconnect().enabled();
                if (wasAccepted) {
                    log.info("connection to {}:{} lost: {}{}", config.host(), config.port(), cause.getMessage(),
                            retry ? "; reconnecting" : "");
                }
                ConnectionListener listener = config.connectionListener();
                if (listener != null && wasAccepted) {
                    callbacks.execute(() -> listener.disconnected(cause, retry));
                }
                if (retry) {
                    state = State.RECONNECTING;
                    scheduleReconnect();
                } else {
                    // nothing will send them: fail what waits rather than leave it hanging
                    state = State.IDLE;
                    ConnectionLostException lost = new ConnectionLostException(cause);
                    publishOut.failAll(lost);
                    subscriptions.failAll(lost);
                }
            }
            default -> { }
        }
    }

    private void scheduleReconnect() {
        reconnectAttempt++;
        long delay = config.reconnect().delay(reconnectAttempt, ThreadLocalRandom.current()).toMillis();
        log.debug("reconnect attempt {} in {} ms", reconnectAttempt, delay);
        reconnectTask = loop.schedule(() -> {
            reconnectTask = null;
            if (state == State.RECONNECTING) {
                open();
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    private void connectFailed(Throwable cause) {
        lastError = cause;
        if (state == State.CONNECTING) {
            state = State.IDLE;
            if (connecting != null) {
                callbacks.fail(connecting, cause);
                connecting = null;
            }
        } else if (state == State.RECONNECTING) {
            scheduleReconnect();
        }
    }

    private void disconnectOnLoop(CompletableFuture<Void> future, boolean direct) {
        switch (state) {
            case CONNECTED -> {
                state = State.DISCONNECTING;
                disconnecting = future;
                disconnectDirect = direct;
                // CONNECTED always has a channel: onClosed moves the state on as it clears the channel
                Channel ch = Objects.requireNonNull(channel, "a connected client has a channel");
                send(Disconnect.NORMAL).addListener(f -> ch.close());
                flush();
            }
            case CONNECTING, RECONNECTING -> {
                if (reconnectTask != null) {
                    reconnectTask.cancel(false);
                    reconnectTask = null;
                }
                lastError = new MqttClientException("disconnected by the application");
                state = State.DISCONNECTING;
                disconnecting = future;
                disconnectDirect = direct;
                if (channel != null) {
                    channel.close();
                } else {
                    state = State.IDLE;
                    finishDisconnect();
                }
            }
            case DISCONNECTING -> {
                CompletableFuture<Void> previous = disconnecting;
                if (previous != null) {
                    previous.whenComplete((v, e) -> future.complete(null));
                } else {
                    future.complete(null);
                }
            }
            default -> {
                if (direct) {
                    future.complete(null);
                } else {
                    callbacks.complete(future, null);
                }
            }
        }
    }

    private void finishDisconnect() {
        MqttClientException cause = new MqttClientException("the client disconnected before the message was sent");
        publishOut.failBuffered(cause);
        if (config.cleanSession()) {
            publishOut.failAll(new MqttClientException("the client disconnected before the message was acknowledged"));
        }
        subscriptions.failAll(new MqttClientException("the client disconnected before the server answered"));
        if (connecting != null) {
            callbacks.fail(connecting, new MqttClientException("disconnected by the application"));
            connecting = null;
        }
        if (disconnecting != null) {
            if (disconnectDirect) {
                disconnecting.complete(null);
            } else {
                callbacks.complete(disconnecting, null);
            }
            disconnecting = null;
        }
    }

    // ---- keep alive, flushing, writability

    /** Nothing read or written for a keep alive interval: ping, and close if no answer comes. */
    void onIdle(Channel ch) {
        if (ch != channel || !accepted || pingSentAt != 0) {
            return;
        }
        long sentAt = System.nanoTime();
        pingSentAt = sentAt;
        send(PingReq.INSTANCE);
        long keepAlive = config.keepAlive().toSeconds();
        loop.schedule(() -> {
            if (channel == ch && pingSentAt == sentAt && lastReceived - sentAt < 0) {
                lastError = new MqttClientException("no answer to PINGREQ within the keep alive of " + keepAlive + " s: the connection is dead");
                ch.close();
            }
        }, keepAlive, TimeUnit.SECONDS);
    }

    void onWritable(Channel ch) {
        if (ch == channel) {
            publishOut.drain();
        }
    }

    void onException(Channel ch, Throwable cause) {
        if (ch == channel && lastError == null) {
            lastError = new MqttClientException("connection error: " + Failures.networkReason(cause), cause);
        }
        ch.close();
    }

    void onReadComplete(Channel ch) {
        if (ch == channel) {
            flush();
        }
    }

    private void flush() {
        flushScheduled = false;
        if (channel != null) {
            channel.flush();
        }
    }

    private void protocolError(Channel ch, String reason) {
        lastError = new MqttClientException("protocol error: " + reason);
        log.warn("closing the connection to {}:{}: {}", config.host(), config.port(), reason);
        ch.close();
    }

    // ---- helpers

    private void trace(Packet packet, boolean sent) {
        PacketTracer tracer = config.packetTracer();
        if (tracer == null) {
            return;
        }
        try {
            if (sent) {
                tracer.sent(packet);
            } else {
                tracer.received(packet);
            }
        } catch (RuntimeException e) {
            log.warn("the packet tracer failed on {}", packet.type(), e);
        }
    }

    private void onLoop(CompletableFuture<?> future, Runnable task) {
        try {
            loop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            future.completeExceptionally(closed());
        }
    }

    private static MqttClientException closed() {
        return new MqttClientException("the client is closed");
    }

    private static String describe(State state) {
        return switch (state) {
            case CONNECTING, RECONNECTING -> "connecting";
            case CONNECTED -> "connected";
            case DISCONNECTING -> "disconnecting";
            case CLOSED -> "closed";
            default -> "idle";
        };
    }
}
