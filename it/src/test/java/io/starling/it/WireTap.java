package io.starling.it;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.Publish;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.MqttVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * A TCP proxy on 127.0.0.1 between MQTT clients and a broker, which records every byte each way,
 * so that a test can see what a client library hides from its application: topic aliases on the
 * wire. It can also cut every connection with a reset, the way a network fails, without either
 * end sending DISCONNECT. Each accepted connection gets two copying threads; {@link #close()}
 * closes every socket and joins every thread.
 *
 * <p>Not a man in the middle of the protocol: bytes pass unchanged, in order, as they come.
 */
final class WireTap implements AutoCloseable {
    private static final Duration JOIN = Duration.ofSeconds(5);

    private final int brokerPort;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final List<Connection> connections = new ArrayList<>();

    /**
     * A PUBLISH as it was on the wire: its topic (empty when an alias stands for it), its Topic
     * Alias, its DUP flag and its payload as UTF-8.
     */
    record WirePublish(String topic, OptionalInt topicAlias, boolean dup, String payload) {
        /** A first delivery (DUP 0); {@code topicAlias} 0 for none. */
        static WirePublish of(String topic, int topicAlias, String payload) {
            return new WirePublish(topic, alias(topicAlias), false, payload);
        }

        /** A re-delivery (DUP 1); {@code topicAlias} 0 for none. */
        static WirePublish dup(String topic, int topicAlias, String payload) {
            return new WirePublish(topic, alias(topicAlias), true, payload);
        }

        private static OptionalInt alias(int topicAlias) {
            return topicAlias == 0 ? OptionalInt.empty() : OptionalInt.of(topicAlias);
        }
    }

    private WireTap(int brokerPort) throws IOException {
        this.brokerPort = brokerPort;
        listener = new ServerSocket(0, 50, InetAddress.getByName(EmbeddedBroker.HOST));
        acceptor = new Thread(this::accept, "wiretap-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts a tap in front of the broker listening on {@code brokerPort} of 127.0.0.1. */
    static WireTap inFrontOf(int brokerPort) throws IOException {
        return new WireTap(brokerPort);
    }

    /** The port clients connect to instead of the broker's. */
    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                Socket broker = new Socket();
                broker.connect(new InetSocketAddress(EmbeddedBroker.HOST, brokerPort), (int) JOIN.toMillis());
                Connection connection = new Connection(client, broker);
                synchronized (connections) {
                    if (listener.isClosed()) {
                        connection.reset();
                        return;
                    }
                    connections.add(connection);
                    connection.start();   // under the lock: close() joins every thread it started
                }
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    /** The bytes the client of connection {@code index} (0 for the first accepted) has sent so far. */
    byte[] fromClient(int index) {
        return connection(index).fromClient.bytes();
    }

    /** The bytes the broker has sent to the client of connection {@code index} so far. */
    byte[] toClient(int index) {
        return connection(index).toClient.bytes();
    }

    /**
     * Resets both sides of every connection (RST, no FIN): the client and the broker each see the
     * network fail, and neither gets a DISCONNECT.
     */
    void cutAll() {
        synchronized (connections) {
            for (Connection connection : connections) {
                connection.reset();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        closeQuietly(listener);
        List<Connection> all;
        synchronized (connections) {
            all = List.copyOf(connections);
        }
        for (Connection connection : all) {
            connection.reset();
        }
        acceptor.join(JOIN.toMillis());
        for (Connection connection : all) {
            connection.join();
        }
    }

    private Connection connection(int index) {
        synchronized (connections) {
            return connections.get(index);
        }
    }

    /** The PUBLISH packets in bytes a client sent (a CONNECT first), decoded by Starling's codec. */
    static List<WirePublish> publishesFromClient(byte[] stream) {
        return publishes(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), stream);
    }

    /** The PUBLISH packets in bytes an MQTT 5.0 server sent to a client, decoded by Starling's codec. */
    static List<WirePublish> publishesToClient(byte[] stream) {
        return publishes(PacketDecoder.forClient(MqttVersion.V5, PacketDecoder.MAX_PACKET_SIZE), stream);
    }

    private static List<WirePublish> publishes(PacketDecoder decoder, byte[] stream) {
        ByteBuf in = Unpooled.wrappedBuffer(stream);
        List<WirePublish> publishes = new ArrayList<>();
        try {
            Packet packet;
            while ((packet = decoder.decode(in)) != null) {
                if (packet instanceof Publish publish) {
                    try {
                        int alias = (int) publish.properties().integer(PropertyId.TOPIC_ALIAS).orElse(0);
                        String payload = publish.payload().toString(StandardCharsets.UTF_8);
                        publishes.add(publish.dup() ? WirePublish.dup(publish.topic(), alias, payload)
                                : WirePublish.of(publish.topic(), alias, payload));
                    } finally {
                        publish.release();
                    }
                }
            }
            if (in.isReadable()) {
                throw new IllegalStateException(in.readableBytes() + " bytes of an incomplete packet at the end");
            }
            return publishes;
        } finally {
            in.release();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing on the way out: nothing to do about it
        }
    }

    /** Bytes recorded in one direction. */
    private static final class Recording {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        synchronized void add(byte[] buffer, int length) {
            bytes.write(buffer, 0, length);
        }

        synchronized byte[] bytes() {
            return bytes.toByteArray();
        }
    }

    /** One client connection and the broker connection opened for it. */
    private static final class Connection {
        private final Socket client;
        private final Socket broker;
        final Recording fromClient = new Recording();
        final Recording toClient = new Recording();
        private final Thread up;
        private final Thread down;

        Connection(Socket client, Socket broker) {
            this.client = client;
            this.broker = broker;
            up = new Thread(() -> pump(client, broker, fromClient), "wiretap-up-" + client.getPort());
            down = new Thread(() -> pump(broker, client, toClient), "wiretap-down-" + client.getPort());
            up.setDaemon(true);
            down.setDaemon(true);
        }

        void start() {
            up.start();
            down.start();
        }

        private void pump(Socket from, Socket to, Recording recording) {
            byte[] buffer = new byte[8192];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    recording.add(buffer, read);
                    out.write(buffer, 0, read);
                    out.flush();
                }
                to.shutdownOutput(); // pass the orderly close on
            } catch (IOException e) {
                reset(); // one side failed or was reset: fail the other too
            }
        }

        void reset() {
            for (Socket socket : List.of(client, broker)) {
                try {
                    if (!socket.isClosed()) {
                        socket.setSoLinger(true, 0); // close() sends RST
                    }
                } catch (SocketException e) {
                    // already failed: closing is all that is left
                }
                closeQuietly(socket);
            }
        }

        void join() throws InterruptedException {
            up.join(JOIN.toMillis());
            down.join(JOIN.toMillis());
        }
    }
}
