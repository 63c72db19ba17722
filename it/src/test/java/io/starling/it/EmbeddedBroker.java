package io.starling.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.BrokerInternals;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.internal.session.Session;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Starling broker embedded in a test, listening on an ephemeral port on 127.0.0.1. Either
 * register it for a whole test class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedBroker broker = new EmbeddedBroker();
 * }</pre>
 *
 * or start and close it yourself: {@code try (EmbeddedBroker broker = new EmbeddedBroker().start()) {...}}.
 */
public final class EmbeddedBroker implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    public static final String HOST = "127.0.0.1";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(10);

    private final BrokerConfig config;
    private Broker broker;

    /** The embedded defaults, on an ephemeral loopback port. */
    public EmbeddedBroker() {
        this(BrokerConfig.defaults().inMemory().withListeners(List.of(new BrokerConfig.Listener(HOST, 0))));
    }

    public EmbeddedBroker(BrokerConfig config) {
        this.config = config;
    }

    /** Starts the broker; returns this. */
    public EmbeddedBroker start() throws IOException {
        if (broker != null) {
            throw new IllegalStateException("already started");
        }
        broker = Broker.start(config);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        Broker running = broker;
        broker = null;
        if (running != null) {
            running.close();
        }
    }

    public Broker broker() {
        if (broker == null) {
            throw new IllegalStateException("the broker is not running");
        }
        return broker;
    }

    public int port() {
        return broker().port();
    }

    /** The URI Paho connects to. */
    public String tcpUri() {
        return "tcp://" + HOST + ":" + port();
    }

    /**
     * Waits until the broker has no session for {@code clientId}: a clean session's connection has
     * ended and the broker has finished with it (its will, if any, has been routed by then).
     */
    public void awaitSessionGone(String clientId) {
        await("session of '" + clientId + "' discarded").atMost(WAIT).pollInterval(POLL)
                .until(() -> BrokerInternals.sessions(broker()).store().get(clientId) == null);
    }

    /**
     * Waits until the broker has detached the session of {@code clientId} from its closed
     * connection (or has no session for it), so that what is published next is queued for the
     * offline session rather than written to the dead connection. The check runs as a task in the
     * session's own mailbox, after the detach task the closing connection submitted.
     */
    public void awaitOffline(String clientId) {
        await("session of '" + clientId + "' offline").atMost(WAIT).pollInterval(POLL).until(() -> {
            Session session = BrokerInternals.sessions(broker()).store().get(clientId);
            if (session == null) {
                return true;
            }
            CompletableFuture<Boolean> offline = new CompletableFuture<>();
            session.submit(() -> offline.complete(session.connection() == null));
            return offline.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    /**
     * Connects over a raw socket with an MQTT 3.1.1 CONNECT (clean session, will on
     * {@code willTopic} at {@code willQos}, not retained), checks the CONNACK, then resets the
     * connection without DISCONNECT: the way a client dies when its process or network fails.
     */
    public void connectWithWillThenDie(String clientId, String willTopic, byte[] willPayload, int willQos) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, "MQTT");                            // protocol name
        body.write(0x04);                                     // protocol level 4: MQTT 3.1.1
        body.write(0x02                                       // connect flags: clean session
                | 0x04                                        //   will flag
                | willQos << 3);                              //   will QoS (bits 4-3), will retain 0
        body.write(0x00);                                     // keep alive MSB
        body.write(0x3C);                                     // keep alive LSB: 60 s
        writeString(body, clientId);                          // client identifier
        writeString(body, willTopic);                         // will topic
        writeBinary(body, willPayload);                       // will message
        ByteArrayOutputStream connect = new ByteArrayOutputStream();
        connect.write(0x10);                                  // CONNECT, flags 0000
        writeRemainingLength(connect, body.size());           // remaining length
        connect.writeBytes(body.toByteArray());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port()), (int) WAIT.toMillis());
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.getOutputStream().write(connect.toByteArray());
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            byte[] connAck = in.readNBytes(4);
            assertThat(connAck).as("CONNACK").containsExactly(
                    0x20, 0x02,                               // CONNACK, remaining length 2
                    0x00,                                     // session present 0
                    0x00);                                    // return code 0: accepted
            socket.setSoLinger(true, 0);                      // close() sends RST: no DISCONNECT, no FIN
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeString(ByteArrayOutputStream out, String value) {
        writeBinary(out, value.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeBinary(ByteArrayOutputStream out, byte[] value) {
        out.write(value.length >> 8);
        out.write(value.length & 0xFF);
        out.writeBytes(value);
    }

    private static void writeRemainingLength(ByteArrayOutputStream out, int length) {
        do {
            int digit = length % 128;
            length /= 128;
            out.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
    }
}
