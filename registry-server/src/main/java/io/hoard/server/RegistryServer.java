package io.hoard.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Binds the HTTP listener and shuts it down gracefully (the shape of Netty's HttpStaticFileServer). */
final class RegistryServer implements AutoCloseable {
    /** Linux's native epoll transport when it loads (fewer allocations and system calls), else NIO. */
    private static final boolean EPOLL = Epoll.isAvailable();

    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, ioHandlers());
    /**
     * One event loop per core (Netty's default is two): the loops never block (handlers run on
     * virtual threads), so more loops than cores only take turns on them, and a loop waiting for its
     * turn holds up every connection it serves — the tail latency of cached manifests halves.
     */
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(
            Math.max(1, Runtime.getRuntime().availableProcessors()), ioHandlers());
    private final Channel channel;

    RegistryServer(InetSocketAddress address, RegistryChannelInitializer initializer) throws InterruptedException {
        try {
            channel = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(initializer)
                    .bind(address).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    private static IoHandlerFactory ioHandlers() {
        return EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** The address actually bound (the port is chosen by the OS for port 0). */
    InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Stops accepting connections; connections already open keep being served. */
    void stopAccepting() {
        channel.close().syncUninterruptibly();
    }

    /** Closes every connection and stops the event loops, waiting at most {@code timeout}. */
    void shutdown(Duration timeout) {
        channel.close().syncUninterruptibly();
        long ms = Math.max(100, timeout.toMillis());
        boss.shutdownGracefully(0, ms, TimeUnit.MILLISECONDS);
        workers.shutdownGracefully(0, ms, TimeUnit.MILLISECONDS).awaitUninterruptibly(ms + 1000);
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(1));
    }
}
