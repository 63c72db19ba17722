package io.starling.client;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A fake MQTT server on 127.0.0.1 that a test drives byte by byte: it accepts one connection,
 * hands the test the packets the client sent, and writes whatever bytes the test gives it. For
 * the client's side of the protocol rules, which a real broker would never break on purpose.
 */
final class ScriptedServer implements AutoCloseable {
    private final ServerSocket server;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    ScriptedServer() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        server.setSoTimeout(10_000);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Closes the current connection, as a network failure would; {@link #accept()} takes the next. */
    void dropConnection() throws IOException {
        socket.close();
    }

    /** Waits for the client's (next) connection. */
    ScriptedServer accept() throws IOException {
        socket = server.accept();
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        return this;
    }

    /** Reads one whole packet the client sent, fixed header included. */
    byte[] readPacket() throws IOException {
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        int first = in.read();
        if (first < 0) {
            throw new IOException("the client closed the connection");
        }
        packet.write(first);
        int length = 0;
        int shift = 0;
        int b;
        do {
            b = in.read();
            if (b < 0) {
                throw new IOException("the client closed the connection mid-header");
            }
            packet.write(b);
            length |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        packet.write(in.readNBytes(length));
        return packet.toByteArray();
    }

    /** Reads packets until one of the given type (high nibble) arrives, returning all read. */
    List<byte[]> readUntil(int type) throws IOException {
        List<byte[]> packets = new ArrayList<>();
        byte[] p;
        do {
            p = readPacket();
            packets.add(p);
        } while ((p[0] & 0xF0) != type << 4);
        return packets;
    }

    void write(int... bytes) throws IOException {
        byte[] raw = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            raw[i] = (byte) bytes[i];
        }
        out.write(raw);
        out.flush();
    }

    void write(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /** Waits until the client closes its side of the connection. */
    void awaitClosedByClient() {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try {
                return in.read() < 0;
            } catch (IOException e) {
                return true;
            }
        });
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
        }
        server.close();
    }
}
