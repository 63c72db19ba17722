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
import io.starling.codec.packet.Auth;
import io.starling.codec.packet.ConnAck;
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
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.UnsubAck;
import io.starling.codec.property.Properties;
import io.starling.codec.wire.PacketType;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind {@code MqttClient}: the connection's life (connect, CONNACK, keep alive,
 * loss, reconnect with back-off, disconnect, close) and the flows that run on it. In MQTT 5.0 also
 * what the CONNACK imposes (server keep alive, assigned client identifier, the server's limits,
 * handed to the flows), the server's DISCONNECT, redirection, and enhanced authentication through
 * {@link Authentication}. Every piece of state is confined to one event loop; the public methods
 * hop onto it.
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
    private final Authentication authentication;
    private final Redirection redirection;
    private final ConnectFlow connectFlow;
    private final RequestResponse requests;

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
    private @Nullable ConnectResult lastConnect;

    public ClientCore(MqttClientConfig config) {
        this.config = config;
        this.loop = ClientEventLoops.acquire();
        this.callbacks = new Callbacks(config.callbackExecutor(), config.clientId());
        this.encoder = new PacketEncoder(config.version());
        this.subscriptions = new SubscriptionFlow(this, ids, callbacks, config.maxBufferedMessages(), config.messageListener());
        this.publishOut = new PublishOutFlow(this, ids, callbacks, config.maxInflight(), config.maxBufferedMessages());
        this.publishIn = new PublishInFlow(this, loop, callbacks, subscriptions,
                config.version().isV5() ? config.mqtt5().topicAliasMaximum() : 0);
        this.pipeline = new ClientPipeline(config, loop, this);
        this.authentication = new Authentication(this, config.mqtt5().authentication(), callbacks);
        this.redirection = new Redirection(config);
        this.connectFlow = new ConnectFlow(config, authentication);
        this.requests = new RequestResponse(this, callbacks);
    }

    /** The client identifier in use: the configured one, or the one the server assigned. */
    public String clientId() {
        return connectFlow.clientId();
    }

    RequestResponse requests() {
        return requests;
    }

    /** Runs {@code task} on the I/O thread after {@code delay}. */
    void schedule(Runnable task, Duration delay) {
        try {
            loop.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /** The CONNACK of the current (or last) connection, or null before the first. */
    @Nullable ConnectResult lastConnect() {
        return lastConnect;
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

    public CompletableFuture<PublishResult> publish(MqttMessage message) {
        return unlessClosed(future -> publishOut.submit(message, future));
    }

    public CompletableFuture<SubscribeResult> subscribe(List<Subscription> subs, Properties properties,
            io.starling.client.@Nullable MessageListener listener) {
        return unlessClosed(future -> subscriptions.subscribe(subs, properties, listener, future));
    }

    public CompletableFuture<UnsubscribeResult> unsubscribe(List<String> filters, Properties properties) {
        return unlessClosed(future -> subscriptions.unsubscribe(filters, properties, future));
    }

    /** Runs {@code operation} on the event loop with a new future, which fails at once if the client is closed. */
    private <T> CompletableFuture<T> unlessClosed(Consumer<CompletableFuture<T>> operation) {
        CompletableFuture<T> future = new CompletableFuture<>();
        onLoop(future, () -> {
            if (state == State.CLOSED) {
                callbacks.fail(future, closed());
            } else {
                operation.accept(future);
            }
        });
        return future;
    }

    public CompletableFuture<Void> disconnect(ReasonCode reasonCode, Properties properties) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        onLoop(future, () -> {
            if (state == State.CONNECTED && config.version().isV5() && !connectFlow.disconnecting(properties)) {
                // 3.14.2.2.2: a session that was to end with the connection cannot be given a life now (a Protocol Error)
                callbacks.fail(future, new IllegalArgumentException(
                        "the CONNECT's session expiry interval was 0: DISCONNECT cannot set one (MQTT 5.0, 3.14.2.2.2)"));
                return;
            }
            disconnectOnLoop(future, false, config.version().isV5() ? new Disconnect(reasonCode, properties) : Disconnect.NORMAL);
        });
        return future;
    }

    public CompletableFuture<Void> reauthenticate() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        onLoop(future, () -> {
            if (state != State.CONNECTED || !accepted) {
                callbacks.fail(future, new MqttClientException("re-authentication needs an open connection"));
            } else {
                authentication.reauthenticate(future);
            }
        });
        return future;
    }

    public void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!loop.isShuttingDown()) {
            loop.execute(() -> disconnectOnLoop(done, true, Disconnect.NORMAL));
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
    public int encodedSize(Packet packet) {
        return encoder.encodedSize(packet);
    }

    @Override
    public long sessionEpoch() {
        return sessionEpoch;
    }

    @Override
    public void protocolError(ReasonCode code, String reason) {
        Channel ch = channel;
        if (ch != null) {
            protocolError(ch, code, reason);
        }
    }

    // ---- the connection's life

    private void open() {
        lastError = null;
        ChannelFuture connected;
        try {
            connected = pipeline.connect(redirection.host(), redirection.port());
        } catch (RuntimeException e) {
            connectFailed(e instanceof MqttClientException ? e : new MqttClientException(Failures.message(e), e));
            return;
        }
        Channel ch = connected.channel();
        channel = ch;
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                if (channel == ch) {
                    lastError = new MqttClientException("cannot connect to " + redirection.target() + ": "
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
                lastError = new MqttClientException("no CONNACK from " + redirection.target()
                        + " within " + config.connectTimeout().toMillis() + " ms");
                ch.close();
            }
        }, config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The TLS handshake on {@code ch} failed: the reason the connection is about to close. */
    void onTlsFailure(Channel ch, Throwable cause) {
        if (channel == ch && lastError == null) {
            lastError = new MqttClientException("TLS handshake with " + redirection.target()
                    + " failed: " + Failures.networkReason(cause), cause);
        }
    }

    private void sendConnect(Channel ch) {
        if (channel == ch) {
            send(connectFlow.connect());
        }
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
                protocolError(ch, e.reasonCode(), "the server sent a malformed packet: " + e.getMessage());
            } else if (msg instanceof ConnAck ack) {
                onConnAck(ch, ack);
            } else if (msg instanceof Disconnect disconnect && config.version().isV5()) {
                onDisconnect(ch, disconnect);
            } else if (msg instanceof Auth auth && config.version().isV5()) {
                authentication.onAuth(auth, accepted);
            } else if (!accepted) {
                ReferenceCountUtil.release(msg);
                protocolError(ch, ReasonCode.PROTOCOL_ERROR, "the server sent " + ((Packet) msg).type() + " before CONNACK");
            } else if (msg instanceof Publish publish) {
                publishIn.onPublish(publish);
            } else if (msg instanceof PubAck ack) {
                publishOut.onPubAck(ack);
            } else if (msg instanceof PubRec rec) {
                publishOut.onPubRec(rec);
            } else if (msg instanceof PubComp comp) {
                publishOut.onPubComp(comp);
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
                protocolError(ch, ReasonCode.PROTOCOL_ERROR, "the server sent " + ((Packet) msg).type() + ", which a client does not accept");
            }
        } catch (MqttClientException e) {
            protocolError(ch, ReasonCode.PROTOCOL_ERROR, Failures.message(e));
        }
    }

    /** The server's DISCONNECT (5.0): why it ends the connection, and maybe where to go instead. */
    private void onDisconnect(Channel ch, Disconnect disconnect) {
        lastError = new DisconnectedByServerException(disconnect.reasonCode(), disconnect.properties());
        String from = redirection.target();
        if (redirection.follow(disconnect.reasonCode(), disconnect.properties())) {
            log.info("the server at {} redirects to {} ({})", from, redirection.target(), disconnect.reasonCode());
        }
        ch.close();
    }

    private void onConnAck(Channel ch, ConnAck ack) {
        if (accepted) {
            protocolError(ch, ReasonCode.PROTOCOL_ERROR, "the server sent a second CONNACK");
            return;
        }
        if (ack.reasonCode().isError()) {
            lastError = new ConnectionRefusedException(ack.reasonCode(), connectFlow.refusal(ack));
            String from = redirection.target();
            if (redirection.follow(ack.reasonCode(), ack.properties())) {
                log.info("the server at {} redirects to {} ({})", from, redirection.target(), ack.reasonCode());
            }
            ch.close();
            return;
        }
        if (!authentication.onConnAck(ack)) {
            ch.close();
            return;
        }
        ConnectFlow.Accepted accept = connectFlow.accepted(ack);
        if (accept.keepAliveChanged()) {
            pipeline.keepAlive(ch, connectFlow.keepAliveSeconds());
        }
        ConnectResult result = accept.result();
        boolean resumed = accept.resumed();
        accepted = true;
        connected = true;
        reconnectAttempt = 0;
        redirection.connected();
        lastConnect = result;
        if (!resumed) {
            sessionEpoch++;
        }
        State before = state;
        state = State.CONNECTED;
        log.debug("connected to {} as {} (session present: {})", redirection.target(), connectFlow.clientId(), ack.sessionPresent());
        publishIn.onConnected(resumed);
        subscriptions.onConnected(resumed, accept.limits());
        publishOut.onConnected(resumed, accept.limits());
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
        authentication.onClosed(cause);
        if (redirection.takePending() && (state == State.CONNECTING || state == State.CONNECTED || state == State.RECONNECTING)) {
            // redirected: straight to the other server, whatever the reconnect policy
            if (state == State.CONNECTED) {
                ConnectionListener listener = config.connectionListener();
                if (listener != null) {
                    callbacks.execute(() -> listener.disconnected(cause, true));
                }
                state = State.RECONNECTING;
            }
            open();
            return;
        }
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
                    log.info("connection to {} lost: {}{}", redirection.target(), cause.getMessage(),
                            retry ? "; reconnecting" : "");
                }
                redirection.connectionLost();
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

    private void disconnectOnLoop(CompletableFuture<Void> future, boolean direct, Disconnect disconnect) {
        switch (state) {
            case CONNECTED -> {
                state = State.DISCONNECTING;
                disconnecting = future;
                disconnectDirect = direct;
                // CONNECTED always has a channel: onClosed moves the state on as it clears the channel
                Channel ch = Objects.requireNonNull(channel, "a connected client has a channel");
                send(disconnect).addListener(f -> ch.close());
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
        if (!connectFlow.keepsSession()) {
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
        long keepAlive = connectFlow.keepAliveSeconds();
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

    /** Closes {@code ch} for a protocol error; a 5.0 server is told why in a DISCONNECT first [MQTT-4.13.1-1]. */
    private void protocolError(Channel ch, ReasonCode code, String reason) {
        lastError = new MqttClientException("protocol error: " + reason);
        log.warn("closing the connection to {}: {}", redirection.target(), reason);
        if (config.version().isV5() && accepted && code.isAllowedIn(PacketType.DISCONNECT)) {
            send(new Disconnect(code, Properties.EMPTY)).addListener(f -> ch.close());
            flush();
        } else {
            ch.close();
        }
    }

    /** Closes the connection for {@code reason} (enhanced authentication went wrong). */
    void abort(MqttClientException reason) {
        Channel ch = channel;
        if (ch != null) {
            lastError = reason;
            log.warn("closing the connection to {}: {}", redirection.target(), reason.getMessage());
            ch.close();
        }
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
        } catch (RejectedExecutionException e) {
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
