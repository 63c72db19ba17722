package io.starling.broker.internal.transport;

import static io.starling.broker.internal.transport.WebSocketTransportTest.CONNACK;
import static io.starling.broker.internal.transport.WebSocketTransportTest.concat;
import static io.starling.broker.internal.transport.WebSocketTransportTest.connect;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.BrokerInternals;
import io.starling.broker.testing.TestCertificates;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.internal.protocol.Connection;
import io.starling.broker.internal.session.ClientConnection;
import io.starling.broker.internal.session.Session;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The PROXY protocol (HAProxy's proxy-protocol.txt, versions 1 and 2) on listeners behind a load
 * balancer: the address the header names is the connection's peer, as the broker sees it; a
 * connection without a valid header is closed at once. Listeners: TCP, ws and TLS, each with
 * {@code proxy_protocol} on.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProxyProtocolTest {
    private static final InetSocketAddress CLIENT_V4 = new InetSocketAddress(address(203, 0, 113, 7), 51234);

    private static Broker broker;
    private static TestCertificates certificates;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        certificates = TestCertificates.create(dir);
        TestCertificates.Issued server = certificates.server();
        BrokerConfig.Listener proxied = new BrokerConfig.Listener("127.0.0.1", 0).withProxyProtocol(true);
        BrokerConfig config = BrokerConfig.defaults().inMemory().withListeners(List.of(
                proxied,
                proxied.withWebSocket("/mqtt"),
                proxied.withTls(BrokerConfig.Tls.pem(server.certFile(), server.keyFile()))));
        broker = Broker.start(config);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static InetAddress address(int... bytes) {
        byte[] raw = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            raw[i] = (byte) bytes[i];
        }
        try {
            return InetAddress.getByAddress(raw);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static Socket tcp() throws IOException {
        Socket socket = new Socket("127.0.0.1", broker.addresses().get(0).getPort());
        socket.setSoTimeout(5000);
        return socket;
    }

    /** The address the broker holds for the connected client {@code clientId}. */
    private static InetSocketAddress peerOf(String clientId) {
        return await().atMost(Duration.ofSeconds(5)).until(() -> {
            Session session = BrokerInternals.sessions(broker).store().get(clientId);
            ClientConnection connection = session == null ? null : session.connection();
            return connection instanceof Connection c ? c.peer().address() : null;
        }, a -> a != null);
    }

    /** Sends {@code header} then a CONNECT for {@code clientId} over {@code socket}, and expects CONNACK. */
    private static void connectBehind(Socket socket, byte[] header, String clientId) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(concat(header, connect(clientId)));
        out.flush();
        assertThat(socket.getInputStream().readNBytes(4)).containsExactly(CONNACK);
    }

    /** Expects the broker to close {@code socket} before its CONNECT timeout, having sent nothing. */
    private static void expectClosedAtOnce(Socket socket) throws IOException {
        long start = System.nanoTime();
        InputStream in = socket.getInputStream();
        try {
            assertThat(in.read()).isEqualTo(-1);
        } catch (SocketException reset) {
            // closed with bytes unread: a reset, closed all the same
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("closed before the CONNECT timeout").isLessThan(5000);
    }

    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** Version 2, PROXY, TCP over IPv4: from 203.0.113.7:51234 to 192.0.2.1:1883. */
    static final byte[] V2_TCP4 = concat(V2_SIGNATURE, new byte[] {
        0x21,                                   // version 2, command PROXY
        0x11,                                   // AF_INET, STREAM
        0x00, 0x0C,                             // 12 bytes of addresses follow
        (byte) 203, 0, 113, 7,                  // source address
        (byte) 192, 0, 2, 1,                    // destination address
        (byte) 0xC8, 0x22,                      // source port 51234
        0x07, 0x5B});                           // destination port 1883

    /** Version 2, LOCAL (the proxy's own health check): no addresses. */
    static final byte[] V2_LOCAL = concat(V2_SIGNATURE, new byte[] {
        0x20,                                   // version 2, command LOCAL
        0x00,                                   // AF_UNSPEC, UNSPEC
        0x00, 0x00});                           // no address bytes

    @Test
    @DisplayName("a version 1 header over TCP4: the client's address is the header's source")
    void v1Tcp4() throws Exception {
        try (Socket socket = tcp()) {
            connectBehind(socket, "PROXY TCP4 203.0.113.7 192.0.2.1 51234 1883\r\n".getBytes(US_ASCII), "proxy-v1-tcp4");
            assertThat(peerOf("proxy-v1-tcp4")).isEqualTo(CLIENT_V4);
        }
    }

    @Test
    @DisplayName("a version 1 header over TCP6: the client's IPv6 address")
    void v1Tcp6() throws Exception {
        try (Socket socket = tcp()) {
            connectBehind(socket, "PROXY TCP6 2001:db8::7 2001:db8::1 40000 1883\r\n".getBytes(US_ASCII), "proxy-v1-tcp6");
            assertThat(peerOf("proxy-v1-tcp6"))
                    .isEqualTo(new InetSocketAddress(address(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7), 40000));
        }
    }

    @Test
    @DisplayName("a version 2 header over TCP4: the client's address is the header's source")
    void v2Tcp4() throws Exception {
        try (Socket socket = tcp()) {
            connectBehind(socket, V2_TCP4, "proxy-v2-tcp4");
            assertThat(peerOf("proxy-v2-tcp4")).isEqualTo(CLIENT_V4);
        }
    }

    @Test
    @DisplayName("a version 2 header arriving in pieces is waited for")
    void v2InPieces() throws Exception {
        try (Socket socket = tcp()) {
            OutputStream out = socket.getOutputStream();
            for (int i = 0; i < V2_TCP4.length; i += 5) {
                out.write(V2_TCP4, i, Math.min(5, V2_TCP4.length - i));
                out.flush();
            }
            connectBehind(socket, new byte[0], "proxy-v2-pieces");
            assertThat(peerOf("proxy-v2-pieces")).isEqualTo(CLIENT_V4);
        }
    }

    @Test
    @DisplayName("a version 2 LOCAL header (a health check) keeps the socket's address")
    void v2Local() throws Exception {
        try (Socket socket = tcp()) {
            connectBehind(socket, V2_LOCAL, "proxy-v2-local");
            assertThat(peerOf("proxy-v2-local")).isEqualTo(new InetSocketAddress(socket.getLocalAddress(), socket.getLocalPort()));
        }
    }

    @Test
    @DisplayName("a version 1 UNKNOWN header keeps the socket's address")
    void v1Unknown() throws Exception {
        try (Socket socket = tcp()) {
            connectBehind(socket, "PROXY UNKNOWN\r\n".getBytes(US_ASCII), "proxy-v1-unknown");
            assertThat(peerOf("proxy-v1-unknown")).isEqualTo(new InetSocketAddress(socket.getLocalAddress(), socket.getLocalPort()));
        }
    }

    @Test
    @DisplayName("a connection that starts with a CONNECT instead of a header is closed at once, and counted")
    void noHeader() throws Exception {
        long before = broker.metrics().proxyHeadersInvalid.sum();
        try (Socket socket = tcp()) {
            socket.getOutputStream().write(connect("proxy-none"));
            expectClosedAtOnce(socket);
        }
        // counted as the exception reaches the handler, which may be just after the close
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().proxyHeadersInvalid.sum() - before == 1);
        assertThat(broker.metrics().proxyHeadersInvalid.sum() - before).isEqualTo(1);
    }

    @Test
    @DisplayName("a version 1 header with an invalid address is refused: the connection is closed, and counted")
    void invalidV1() throws Exception {
        long before = broker.metrics().proxyHeadersInvalid.sum();
        try (Socket socket = tcp()) {
            socket.getOutputStream().write(concat("PROXY TCP4 203.0.113.999 192.0.2.1 51234 1883\r\n".getBytes(US_ASCII),
                    connect("proxy-invalid")));
            expectClosedAtOnce(socket);
        }
        // counted as the exception reaches the handler, which may be just after the close
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().proxyHeadersInvalid.sum() - before == 1);
        assertThat(broker.metrics().proxyHeadersInvalid.sum() - before).isEqualTo(1);
    }

    @Test
    @DisplayName("on a WebSocket listener the header comes before the HTTP upgrade")
    void webSocket() throws Exception {
        Socket socket = new Socket("127.0.0.1", broker.addresses().get(1).getPort());
        socket.getOutputStream().write(V2_TCP4);
        try (WebSocketTestClient client = new WebSocketTestClient(socket).upgraded("/mqtt")) {
            client.binary(connect("proxy-ws"));
            assertThat(client.readMqtt(4)).containsExactly(CONNACK);
            assertThat(peerOf("proxy-ws")).isEqualTo(CLIENT_V4);
        }
    }

    @Test
    @DisplayName("on a TLS listener the header comes in the clear, before the TLS handshake")
    void beforeTls() throws Exception {
        try (Socket plain = new Socket("127.0.0.1", broker.addresses().get(2).getPort())) {
            plain.getOutputStream().write("PROXY TCP4 203.0.113.7 192.0.2.1 51234 8883\r\n".getBytes(US_ASCII));
            plain.getOutputStream().flush();
            try (SSLSocket tls = (SSLSocket) certificates.clientContext(null).getSocketFactory()
                    .createSocket(plain, "127.0.0.1", broker.addresses().get(2).getPort(), true)) {
                tls.startHandshake();
                connectBehind(tls, new byte[0], "proxy-tls");
                assertThat(peerOf("proxy-tls")).isEqualTo(CLIENT_V4);
            }
        }
    }
}
