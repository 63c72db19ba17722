package io.starling.broker.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * An MQTT 3.1.1 client over TLS to 127.0.0.1, in raw bytes: it connects, checks the broker's
 * host name (127.0.0.1) unless told not to, sends CONNECT and expects CONNACK accepted. Every read
 * is bounded by the socket's timeout.
 */
final class TlsTestClient implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;

    private TlsTestClient(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects with {@code context}, checking the server's certificate is for 127.0.0.1; fails with an IOException if refused. */
    static TlsTestClient connect(int port, SSLContext context, String clientId) throws IOException {
        return connect(port, context, clientId, "127.0.0.1", null);
    }

    /**
     * Connects with {@code context}, checking the server's name {@code host} (https-style, as MQTT
     * clients do), offering only {@code protocol} unless it is null; sends CONNECT for {@code
     * clientId} and reads CONNACK 20 02 00 00. Throws the IOException of a refused handshake, or one
     * saying the connection was closed instead of accepted.
     */
    static TlsTestClient connect(int port, SSLContext context, String clientId, String host, String protocol) throws IOException {
        java.net.Socket plain = new java.net.Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", port), (int) TIMEOUT.toMillis());
        plain.setSoTimeout((int) TIMEOUT.toMillis());
        // layered on a connected socket, so that the name checked is host, whatever address it reached
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        try {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            if (protocol != null) {
                parameters.setProtocols(new String[] {protocol});
            }
            socket.setSSLParameters(parameters);
            TlsTestClient client = new TlsTestClient(socket);
            socket.startHandshake();
            client.send(connect(clientId));
            client.expect(new byte[] {0x20, 0x02, 0x00, 0x00});
            return client;
        } catch (IOException | RuntimeException | AssertionError e) {
            socket.close();
            throw e;
        }
    }

    /** The server's certificate this connection was made with. */
    X509Certificate serverCertificate() throws IOException {
        return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }

    String protocol() {
        return socket.getSession().getProtocol();
    }

    /** PINGREQ, then PINGRESP expected: the connection still works. */
    void ping() throws IOException {
        send(new byte[] {(byte) 0xC0, 0x00});
        expect(new byte[] {(byte) 0xD0, 0x00});
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void expect(byte[] expected) throws IOException {
        byte[] read = in.readNBytes(expected.length);
        if (read.length < expected.length) {
            throw new IOException("the broker closed the connection after " + read.length + " of " + expected.length + " bytes");
        }
        assertThat(read).isEqualTo(expected);
    }

    /** A 3.1.1 CONNECT with a clean session, keep alive 60 s and no user name. */
    static byte[] connect(String clientId) {
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        byte[] packet = new byte[14 + id.length];
        int i = 0;
        packet[i++] = 0x10;                                  // CONNECT
        packet[i++] = (byte) (12 + id.length);               // remaining length
        packet[i++] = 0x00;
        packet[i++] = 0x04;                                  // protocol name length 4
        for (char c : "MQTT".toCharArray()) {
            packet[i++] = (byte) c;
        }
        packet[i++] = 0x04;                                  // protocol level 4 (3.1.1)
        packet[i++] = 0x02;                                  // clean session
        packet[i++] = 0x00;
        packet[i++] = 0x3C;                                  // keep alive 60 s
        packet[i++] = (byte) (id.length >> 8);
        packet[i++] = (byte) id.length;                      // client identifier length
        System.arraycopy(id, 0, packet, i, id.length);
        return packet;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
