package io.starling.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on 127.0.0.1 between a client under test and a broker, to make the network fail on
 * purpose: {@link #cut()} drops every connection, {@link #refuse} turns new ones away, and {@link
 * #blackhole} keeps connections open but stops carrying bytes (a dead network path). Everything
 * the clients send is recorded, so a test can check the packets on the wire.
 */
final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<ByteArrayOutputStream> fromClients = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private volatile boolean refuse;
    private volatile boolean blackhole;
    private volatile boolean blackholeReplies;
    private volatile int accepted;

    TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        start("proxy-accept", this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    int acceptedConnections() {
        return accepted;
    }

    /** Drops every open connection, as a network failure would. */
    void cut() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    /** While true, new connections are closed at once. */
    void refuse(boolean refuse) {
        this.refuse = refuse;
    }

    /** While true, bytes are read and thrown away in both directions. */
    void blackhole(boolean blackhole) {
        this.blackhole = blackhole;
    }

    /** While true, what the broker sends is thrown away; what clients send still arrives. */
    void blackholeReplies(boolean blackholeReplies) {
        this.blackholeReplies = blackholeReplies;
    }

    /**
     * The first byte (packet type and flags) of every whole packet clients have sent, connection by
     * connection in the order they were accepted, including what a black hole swallowed.
     */
    List<Integer> clientFirstBytes() {
        List<Integer> firstBytes = new ArrayList<>();
        for (ByteArrayOutputStream recorded : fromClients) {
            byte[] bytes;
            synchronized (recorded) {
                bytes = recorded.toByteArray();
            }
            parse(bytes, firstBytes);
        }
        return firstBytes;
    }

    private static void parse(byte[] bytes, List<Integer> firstBytes) {
        int i = 0;
        while (i < bytes.length) {
            int first = bytes[i] & 0xFF;
            int length = 0;
            int shift = 0;
            int j = i + 1;
            int b;
            do {
                if (j >= bytes.length) {
                    return;
                }
                b = bytes[j++] & 0xFF;
                length |= (b & 0x7F) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            if (j + length > bytes.length) {
                return;
            }
            firstBytes.add(first);
            i = j + length;
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        cut();
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (refuse) {
                closeQuietly(client);
                continue;
            }
            accepted++;
            Socket broker = new Socket();
            try {
                broker.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(broker);
                continue;
            }
            sockets.add(client);
            sockets.add(broker);
            ByteArrayOutputStream recorded = new ByteArrayOutputStream();
            fromClients.add(recorded);
            start("proxy-up", () -> pump(client, broker, recorded));
            start("proxy-down", () -> pump(broker, client, null));
        }
    }

    private void pump(Socket from, Socket to, ByteArrayOutputStream record) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (record != null) {
                    synchronized (record) {
                        record.write(buffer, 0, n);
                    }
                }
                if (blackhole || (record == null && blackholeReplies)) {
                    continue;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the other side closed, or cut() did
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void start(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
