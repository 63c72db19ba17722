package io.starling.client;

import io.starling.codec.wire.MqttVersion;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Everything a client was built with; made by {@link MqttClientBuilder}, immutable.
 *
 * @param host the server's host name or address
 * @param port the server's TCP port
 * @param version the protocol version spoken (3.1 or 3.1.1 for now)
 * @param clientId the client identifier; empty asks the server to assign one (clean session only)
 * @param cleanSession start a new session (true), or resume the server's one for this client id
 * @param keepAlive the keep alive interval; zero turns keep alive off
 * @param username the user name, or null
 * @param password the password, or null
 * @param will the will message, or null
 * @param tls TLS options, or null for plain TCP
 * @param reconnect when to reconnect by itself
 * @param maxInflight how many QoS 1 and 2 publishes may await their acknowledgement at once
 * @param maxBufferedMessages how many publishes may wait to be sent (offline or window full)
 * @param connectTimeout how long a TCP connect plus CONNECT/CONNACK may take
 * @param maxPacketSize the largest packet accepted from the server, in bytes
 * @param callbackExecutor where listeners and future completions run, or null for the client's own
 *     thread
 * @param messageListener receives messages that no subscription's own listener takes, or null
 * @param connectionListener told of connects and disconnects, or null
 * @param packetTracer sees every packet sent and received, or null
 */
@SuppressWarnings("ArrayRecordComponent") // the password is MQTT binary data; configs are never compared
public record MqttClientConfig(
        String host,
        int port,
        MqttVersion version,
        String clientId,
        boolean cleanSession,
        Duration keepAlive,
        @Nullable String username,
        byte @Nullable [] password,
        @Nullable MqttMessage will,
        @Nullable TlsOptions tls,
        ReconnectPolicy reconnect,
        int maxInflight,
        int maxBufferedMessages,
        Duration connectTimeout,
        int maxPacketSize,
        @Nullable Executor callbackExecutor,
        @Nullable MessageListener messageListener,
        @Nullable ConnectionListener connectionListener,
        @Nullable PacketTracer packetTracer) {}
