package io.starling.broker.conformance;

import static io.starling.broker.conformance.Packets.hex;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;

/**
 * A test client that speaks MQTT as raw bytes over a plain socket to 127.0.0.1: it writes exactly
 * the bytes a test gives it and checks exactly the bytes the broker sends back. Every read is
 * bounded by a deadline (the socket's read timeout, never a sleep).
 */
final class RawClient implements AutoCloseable {
    /** How long a read waits for bytes the broker is expected to send. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
    /** How long {@link #expectClosed()} waits for the broker to close the connection. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String name;

    RawClient(int port) {
        this(port, "client");
    }

    RawClient(int port, String name) {
        this.name = name;
        try {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) READ_TIMEOUT.toMillis());
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to 127.0.0.1:" + port, e);
        }
    }

    /** Opens a connection, sends {@code connect} and expects CONNACK 20 02 00 00. */
    static RawClient connected(int port, byte[] connect) {
        return connected(port, connect, Packets.CONNACK_ACCEPTED);
    }

    /** Opens a connection, sends {@code connect} and expects exactly {@code connack}. */
    static RawClient connected(int port, byte[] connect, byte[] connack) {
        return connected(port, "client", connect, connack);
    }

    /** As {@link #connected(int, byte[], byte[])}, naming the client {@code name} in failure messages. */
    static RawClient connected(int port, String name, byte[] connect, byte[] connack) {
        RawClient client = new RawClient(port, name);
        try {
            client.send(connect);
            client.expect(connack);
            return client;
        } catch (RuntimeException | AssertionError e) {
            client.close();
            throw e;
        }
    }

    /** Opens a 3.1.1 connection with a clean session for {@code clientId}. */
    static RawClient connected(int port, String clientId) {
        return connected(port, clientId, Packets.connect311(clientId).build(), Packets.CONNACK_ACCEPTED);
    }

    /** Sends SUBSCRIBE of one filter and expects its SUBACK granting {@code qos}. */
    RawClient subscribe(int packetId, String filter, int qos) {
        send(Packets.subscribe(packetId, filter, qos));
        expect(Packets.suback(packetId, qos));
        return this;
    }

    /** Writes the concatenation of {@code packets} in one write. */
    RawClient send(byte[]... packets) {
        try {
            out.write(Packets.concat(packets));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot send", e);
        }
        return this;
    }

    /** Reads exactly {@code expected.length} bytes and asserts they are {@code expected}. */
    RawClient expect(byte[] expected) {
        byte[] actual = new byte[expected.length];
        int n = readFully(actual, deadline(READ_TIMEOUT));
        if (n < expected.length) {
            fail("%s: expected %s but got only %s and then %s", name, hex(expected), hex(Arrays.copyOf(actual, Math.max(n, 0))),
                    n < 0 ? "end of stream" : "nothing for " + READ_TIMEOUT.toMillis() + " ms");
        }
        if (!Arrays.equals(expected, actual)) {
            fail("%s: expected %s%n          but got %s", name, hex(expected), hex(actual));
        }
        return this;
    }

    /** Reads one whole packet (fixed header, Remaining Length, body) and returns all its bytes. */
    byte[] readPacket() {
        long deadline = deadline(READ_TIMEOUT);
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        byte[] one = new byte[1];
        int first = readFully(one, deadline);
        if (first < 1) {
            fail("%s: expected a packet but got %s", name,
                    first < 0 ? "end of stream" : "nothing for " + READ_TIMEOUT.toMillis() + " ms");
        }
        packet.write(one[0]);
        int remaining = 0;
        int multiplier = 1;
        for (int i = 0; ; i++) {
            if (i == 4) {
                fail("%s: Remaining Length longer than 4 bytes: %s", name, hex(packet.toByteArray()));
            }
            if (readFully(one, deadline) < 1) {
                fail("%s: packet cut short after %s", name, hex(packet.toByteArray()));
            }
            packet.write(one[0]);
            remaining += (one[0] & 0x7F) * multiplier;
            multiplier *= 128;
            if ((one[0] & 0x80) == 0) {
                break;
            }
        }
        byte[] body = new byte[remaining];
        int n = readFully(body, deadline);
        if (n < remaining) {
            fail("%s: packet cut short: %s then %s", name, hex(packet.toByteArray()), hex(Arrays.copyOf(body, Math.max(n, 0))));
        }
        packet.writeBytes(body);
        return packet.toByteArray();
    }

    /** Asserts that the broker closes the connection within {@link #CLOSE_TIMEOUT} without sending anything more. */
    void expectClosed() {
        expectClosed(CLOSE_TIMEOUT);
    }

    void expectClosed(Duration within) {
        long deadline = deadline(within);
        ByteArrayOutputStream unexpected = new ByteArrayOutputStream();
        byte[] buf = new byte[256];
        try {
            while (true) {
                int n = readUntil(buf, deadline);
                if (n < 0) {
                    break; // end of stream: closed
                }
                unexpected.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            fail("%s: expected the broker to close the connection within %d ms, but it stayed open%s", name,
                    within.toMillis(), unexpected.size() == 0 ? "" : " and sent " + hex(unexpected.toByteArray()));
        } catch (SocketException e) {
            // connection reset: closed
        } catch (IOException e) {
            throw new UncheckedIOException(name, e);
        }
        if (unexpected.size() > 0) {
            fail("%s: expected the connection to be closed with nothing more sent, but got %s before the close",
                    name, hex(unexpected.toByteArray()));
        }
    }

    /** Asserts that the broker sends nothing and keeps the connection open for {@code duration}. */
    void expectNothing(Duration duration) {
        byte[] buf = new byte[256];
        try {
            int n = readUntil(buf, deadline(duration));
            if (n < 0) {
                fail("%s: expected nothing for %d ms, but the broker closed the connection", name, duration.toMillis());
            }
            fail("%s: expected nothing for %d ms, but got %s", name, duration.toMillis(), hex(Arrays.copyOf(buf, n)));
        } catch (SocketTimeoutException e) {
            // nothing came: as expected
        } catch (SocketException e) {
            fail("%s: expected nothing for %d ms, but the connection was reset: %s", name, duration.toMillis(), e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(name, e);
        }
    }

    /** Ends the connection without DISCONNECT, as a crashed client or a broken network would. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    // ---- reading against a deadline ----

    private static long deadline(Duration timeout) {
        return System.nanoTime() + timeout.toNanos();
    }

    /** Fills {@code buf} before the deadline; returns how many bytes were read (fewer on timeout, -1 at once on end of stream). */
    private int readFully(byte[] buf, long deadline) {
        int filled = 0;
        try {
            while (filled < buf.length) {
                int n = readUntil(buf, filled, buf.length - filled, deadline);
                if (n < 0) {
                    return filled == 0 ? -1 : filled;
                }
                filled += n;
            }
        } catch (SocketTimeoutException e) {
            return filled;
        } catch (SocketException e) {
            return filled == 0 ? -1 : filled;
        } catch (IOException e) {
            throw new UncheckedIOException(name, e);
        }
        return filled;
    }

    private int readUntil(byte[] buf, long deadline) throws IOException {
        return readUntil(buf, 0, buf.length, deadline);
    }

    /** One read of at most {@code length} bytes, waiting no later than the deadline. */
    private int readUntil(byte[] buf, int offset, int length, long deadline) throws IOException {
        long millis = (deadline - System.nanoTime()) / 1_000_000;
        if (millis < 1) {
            throw new SocketTimeoutException("deadline passed");
        }
        socket.setSoTimeout((int) Math.min(millis, Integer.MAX_VALUE));
        return in.read(buf, offset, length);
    }
}
