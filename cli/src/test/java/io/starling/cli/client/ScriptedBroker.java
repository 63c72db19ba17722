package io.starling.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A server on 127.0.0.1 that a test drives byte by byte, for the answers a real broker does not
 * give on demand: a SUBACK refusing every filter, a connection dropped before PUBACK.
 */
final class ScriptedBroker implements AutoCloseable {
    private final ServerSocket server;
    private Socket socket;

    ScriptedBroker() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        server.setSoTimeout((int) CommandRun.WAIT.toMillis());
    }

    String port() {
        return String.valueOf(server.getLocalPort());
    }

    /** Waits for the client's connection. */
    void accept() throws IOException {
        socket = server.accept();
        socket.setSoTimeout((int) CommandRun.WAIT.toMillis());
    }

    /** The next packet: its first byte (type and flags), then its body without the remaining length. */
    byte[] read() throws IOException {
        InputStream in = socket.getInputStream();
        int first = in.read();
        assertThat(first).as("a packet, not the end of the connection").isNotNegative();
        int length = 0;
        int shift = 0;
        int digit;
        do {
            digit = in.read();
            assertThat(digit).as("remaining length").isNotNegative();
            length |= (digit & 0x7F) << shift;
            shift += 7;
        } while ((digit & 0x80) != 0);
        byte[] packet = new byte[1 + length];
        packet[0] = (byte) first;
        byte[] body = in.readNBytes(length);
        assertThat(body).as("packet body").hasSize(length);
        System.arraycopy(body, 0, packet, 1, length);
        return packet;
    }

    void send(int... bytes) throws IOException {
        byte[] packet = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            packet[i] = (byte) bytes[i];
        }
        socket.getOutputStream().write(packet);
        socket.getOutputStream().flush();
    }

    /** Closes the client's connection, without DISCONNECT or anything else. */
    void dropConnection() throws IOException {
        socket.close();
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
        }
        server.close();
    }
}
