package io.starling.client.internal;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The I/O threads every client of the JVM shares: one per core, daemon threads, epoll on Linux
 * and NIO elsewhere. The group starts with the first client and stops when the last one closes,
 * so an application that closes its clients leaves no thread behind. Each client takes one event
 * loop of the group for all its connections, which confines its state to that thread.
 */
public final class ClientEventLoops {
    private static @Nullable EventLoopGroup group;
    private static int users;

    private ClientEventLoops() {}

    public static synchronized EventLoop acquire() {
        if (group == null) {
            IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
            int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
            group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("starling-client-io", true), io);
        }
        users++;
        return group.next();
    }

    public static synchronized void release() {
        if (--users == 0 && group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            group = null;
        }
    }

    public static Class<? extends Channel> channelClass() {
        return Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
