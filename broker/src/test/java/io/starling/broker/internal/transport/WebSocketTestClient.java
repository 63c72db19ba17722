package io.starling.broker.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A WebSocket client written out by hand over a socket (plain or TLS), so that a test controls
 * every byte: the upgrade request's headers, how MQTT packets are cut into frames, text and
 * control frames; and reads the server's frames one by one.
 */
final class WebSocketTestClient implements AutoCloseable {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;
    /** The mask of every client frame: a constant, so that a failing test is reproducible. */
    private static final byte[] MASK = {0x37, (byte) 0xFA, 0x21, 0x3D};

    /** The status line, headers (names in lower case) and body of an HTTP response. */
    record HttpResponse(int status, Map<String, String> headers, String body) {}

    /** One frame from the server. */
    record Frame(boolean fin, int opcode, byte[] payload) {
        /** The status code of a close frame, or -1 when it has none. */
        int closeStatus() {
            return payload.length < 2 ? -1 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    WebSocketTestClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(5000);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Upgrades on {@code path} offering {@code subprotocols} (a header value, or null for no header); returns the response. */
    HttpResponse upgrade(String path, @Nullable String subprotocols) throws IOException {
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + (subprotocols == null ? "" : "Sec-WebSocket-Protocol: " + subprotocols + "\r\n")
                + "\r\n";
        return request(request);
    }

    /** Upgrades on {@code path} offering "mqtt", and expects 101 with "mqtt" chosen. */
    WebSocketTestClient upgraded(String path) throws IOException {
        HttpResponse response = upgrade(path, "mqtt");
        assertThat(response.status()).as("upgrade status").isEqualTo(101);
        // RFC 6455 section 1.3: the key of the RFC's own example gives this accept value
        assertThat(response.headers()).containsEntry("sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
                .containsEntry("sec-websocket-protocol", "mqtt");
        return this;
    }

    /** Sends {@code request} as it is, and reads the response's head (and its body when it has a length). */
    HttpResponse request(String request) throws IOException {
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                fail("connection closed within the HTTP response head: " + head.toString(StandardCharsets.US_ASCII));
            }
            head.write(b);
        }
        String[] lines = head.toString(StandardCharsets.US_ASCII).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        String body = "";
        String length = headers.get("content-length");
        if (length != null) {
            byte[] bytes = new byte[Integer.parseInt(length)];
            in.readFully(bytes);
            body = new String(bytes, StandardCharsets.UTF_8);
        }
        return new HttpResponse(status, headers, body);
    }

    /** Sends one masked frame. */
    void frame(boolean fin, int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0x00) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length);
        }
        frame.write(MASK);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ MASK[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** Sends {@code bytes} as they are. */
    void raw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends each of {@code payloads} as one whole binary frame. */
    void binary(byte[]... payloads) throws IOException {
        for (byte[] payload : payloads) {
            frame(true, BINARY, payload);
        }
    }

    /** Reads one frame from the server, which does not mask. */
    Frame readFrame() throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        assertThat(second & 0x80).as("a server frame is not masked").isZero();
        long length = second & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        return new Frame((first & 0x80) != 0, first & 0x0F, payload);
    }

    /** Reads binary frames until {@code n} bytes of MQTT have come, and returns them, whatever the frames were. */
    byte[] readMqtt(int n) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (bytes.size() < n) {
            Frame frame = readFrame();
            assertThat(frame.opcode()).as("MQTT comes in binary frames [MQTT-6.0.0-1]").isEqualTo(BINARY);
            bytes.write(frame.payload());
        }
        assertThat(bytes.size()).as("bytes of MQTT read").isEqualTo(n);
        return bytes.toByteArray();
    }

    /**
     * Expects the server to close: a close frame (whose status is returned) or none (-1), then the
     * end of the stream, with nothing else between.
     */
    int expectClosed() throws IOException {
        int status = -1;
        try {
            Frame frame = readFrame();
            assertThat(frame.opcode()).as("the only frame before the close is a close frame").isEqualTo(CLOSE);
            status = frame.closeStatus();
            assertThat(in.read()).as("end of stream after the close frame").isEqualTo(-1);
        } catch (EOFException | SocketException e) {
            // closed without a close frame, or reset: closed all the same
        } catch (SocketTimeoutException e) {
            fail("the server did not close the connection within " + socket.getSoTimeout() + " ms");
        }
        return status;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
