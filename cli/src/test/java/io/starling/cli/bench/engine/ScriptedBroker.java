package io.starling.cli.bench.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.starling.codec.decode.PacketDecodeException;
import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.encode.PacketEncoder;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.Publish;
import io.starling.codec.wire.MqttVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A broker played by a script, for the bench to talk MQTT 5.0 to: it listens on an ephemeral
 * loopback port, reads each connection with the codec's strict server-side {@link PacketDecoder}
 * (so whatever the bench writes must decode as the packets of the version its CONNECT names),
 * keeps every packet received, and hands each to the script, which answers as the test needs.
 * A decode failure is kept in {@link #errors()} and ends that connection. Reads time out after
 * {@value #READ_TIMEOUT_MILLIS} ms, and {@link #close()} ends every connection, so no thread
 * outlives the test.
 */
final class ScriptedBroker implements AutoCloseable {
    static final int READ_TIMEOUT_MILLIS = 30_000;

    /** What the broker does with each packet it receives; called on that connection's thread. */
    @FunctionalInterface
    interface Script {
        void onPacket(Peer peer, Packet packet) throws IOException;
    }

    private final ServerSocket server;
    private final Script script;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Peer> peers = new CopyOnWriteArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    ScriptedBroker(Script script) throws IOException {
        this.script = script;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    /** The connections accepted so far, in order. */
    List<Peer> peers() {
        return peers;
    }

    /** Decode failures and script failures: the bench wrote something a strict broker refuses, or the script broke. */
    List<Throwable> errors() {
        return errors;
    }

    private void accept() {
        // ends when close() closes the server socket
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                socket.setSoTimeout(READ_TIMEOUT_MILLIS);
                socket.setTcpNoDelay(true);
                Peer peer = new Peer(socket);
                peers.add(peer);
                threads.execute(peer::read);
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Peer peer : peers) {
            peer.close();
        }
        threads.shutdown();
        try {
            threads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One connection from the bench. */
    final class Peer {
        private final Socket socket;
        private final OutputStream out;
        private final PacketDecoder decoder = PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE);
        private final PacketEncoder encoder = new PacketEncoder(MqttVersion.V5);
        private final List<Packet> received = new CopyOnWriteArrayList<>();

        Peer(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
        }

        /** Every packet received so far; a PUBLISH's payload is a copy, on the heap. */
        List<Packet> received() {
            return received;
        }

        /** The packets received of {@code type}. */
        <T extends Packet> List<T> received(Class<T> type) {
            List<T> of = new ArrayList<>();
            for (Packet packet : received) {
                if (type.isInstance(packet)) {
                    of.add(type.cast(packet));
                }
            }
            return of;
        }

        /** The version the connection's CONNECT named. */
        MqttVersion version() {
            MqttVersion version = decoder.version();
            if (version == null) {
                throw new IllegalStateException("no CONNECT yet");
            }
            return version;
        }

        /** Sends {@code packet}, encoded for 5.0. */
        synchronized void send(Packet packet) throws IOException {
            ByteBuf buf = Unpooled.buffer();
            try {
                encoder.encode(packet, buf);
                out.write(ByteBufUtil.getBytes(buf));
                out.flush();
            } finally {
                buf.release();
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }

        private void read() {
            ByteBuf in = Unpooled.buffer();
            try (Socket s = socket; InputStream input = s.getInputStream()) {
                byte[] chunk = new byte[8192];
                int n;
                // ends when the bench closes the connection, the broker closes it, or a read times out
                while ((n = input.read(chunk)) >= 0) {
                    in.writeBytes(chunk, 0, n);
                    Packet packet;
                    while ((packet = decoder.decode(in)) != null) {
                        Packet kept = packet instanceof Publish publish ? copy(publish) : packet;
                        received.add(kept);
                        script.onPacket(this, kept);
                    }
                    in.discardReadBytes();
                }
            } catch (PacketDecodeException e) {
                errors.add(e);
            } catch (IOException e) {
                // the connection ended
            } catch (RuntimeException | AssertionError e) {
                errors.add(e);
            } finally {
                in.release();
            }
        }

        /** The PUBLISH with its payload copied to the heap, so that the decoder's input can be released. */
        private Publish copy(Publish publish) {
            try {
                return new Publish(publish.topic(), publish.qos(), publish.dup(), publish.retained(), publish.packetId(),
                        publish.properties(), Unpooled.wrappedBuffer(ByteBufUtil.getBytes(publish.payload())));
            } finally {
                publish.release();
            }
        }
    }
}
