package io.hoard.server;

import io.hoard.server.http.ConnectionLimit;
import io.hoard.server.http.HeadTimeout;
import io.hoard.server.http.InFlight;
import io.hoard.server.http.RegistryHandler;
import io.hoard.server.http.RequestDispatcher;
import io.hoard.server.http.ServerSettings;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/** Connection limit → TLS? → head timeout → idle timeout → HTTP codec → keep-alive → 100-continue → chunked writes → the registry. */
final class RegistryChannelInitializer extends ChannelInitializer<SocketChannel> {
    static final int IDLE_SECONDS = 120;

    private final @Nullable SslContext ssl;
    private final RequestDispatcher dispatcher;
    private final Executor executor;
    private final ServerSettings settings;
    private final InFlight inFlight;
    private final ConnectionLimit connections;
    private final io.hoard.server.http.RequestObserver observer;

    RegistryChannelInitializer(@Nullable SslContext ssl, RequestDispatcher dispatcher, Executor executor,
            ServerSettings settings, InFlight inFlight, io.hoard.server.http.RequestObserver observer) {
        this.observer = observer;
        this.inFlight = inFlight;
        this.connections = new ConnectionLimit(settings.maxConnections());
        this.ssl = ssl;
        this.dispatcher = dispatcher;
        this.executor = executor;
        this.settings = settings;
    }

    /** Client connections open now. */
    int openConnections() {
        return connections.open();
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (!connections.admit(ch, ssl != null)) {
            return;
        }
        ChannelPipeline p = ch.pipeline();
        if (ssl != null) {
            p.addLast(ssl.newHandler(ch.alloc()));
        }
        p.addLast(new HeadTimeout(settings.headTimeout()));
        // Connections with no traffic for two minutes are closed unless a request is being handled
        // (RegistryHandler decides), so idle keep-alives and stalled clients do not pile up.
        p.addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
        p.addLast(new HttpServerCodec(8192, 16384, 65536));
        p.addLast(new HttpServerKeepAliveHandler());
        p.addLast(new HttpServerExpectContinueHandler());
        p.addLast(new RegistryHandler(dispatcher, executor, settings, inFlight, observer));
    }
}
