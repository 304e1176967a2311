package io.hoard.server.http;

import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The event-loop side of a connection. One request at a time: its head is routed here, the
 * handler runs on a virtual thread, its body is streamed to it through {@link RequestBody}, and
 * requests a client pipelines behind it wait in {@link #pending} until the response is written.
 * Nothing here blocks.
 */
public final class RegistryHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryHandler.class);
    private static final Logger ACCESS = LoggerFactory.getLogger("io.hoard.access");

    private final RequestDispatcher dispatcher;
    private final Executor executor;
    private final ServerSettings settings;
    private final InFlight inFlight;
    private final RequestObserver observer;
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private @Nullable Exchange current;
    private @Nullable RequestBody receiving;
    private @Nullable ChannelHandlerContext ctx;

    public RegistryHandler(RequestDispatcher dispatcher, Executor executor, ServerSettings settings, InFlight inFlight,
            RequestObserver observer) {
        this.observer = observer;
        this.dispatcher = dispatcher;
        this.executor = executor;
        this.settings = settings;
        this.inFlight = inFlight;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!pending.isEmpty() || blocked()) {
            pending.add(msg); // pipelined: wait for the current response, keep the order
            ctx.channel().config().setAutoRead(false);
            return;
        }
        process(ctx, msg);
    }

    /** True while a request is being handled and its body has fully arrived: the next request must wait. */
    private boolean blocked() {
        return current != null && receiving == null;
    }

    private void process(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            start(ctx, request);
        }
        if (msg instanceof HttpContent content) {
            RequestBody body = receiving;
            if (content.decoderResult().isFailure()) {
                // A broken chunked encoding or similar: the body is not what the client meant to send.
                if (body != null) {
                    body.fail("malformed request body: " + content.decoderResult().cause());
                    receiving = null;
                }
                ReferenceCountUtil.release(msg);
                ctx.channel().config().setAutoRead(false);
                ctx.close();
                return;
            }
            if (body != null) {
                body.offer(content);
                if (content instanceof LastHttpContent) {
                    receiving = null;
                }
            }
        }
        ReferenceCountUtil.release(msg);
    }

    private void start(ChannelHandlerContext ctx, HttpRequest request) {
        HeadTimeout headTimeout = ctx.pipeline().get(HeadTimeout.class);
        if (headTimeout != null) {
            headTimeout.headReceived();
        }
        Optional<HttpResponseStatus> refusal = refusal(request);
        if (refusal.isPresent()) {
            LOG.debug("refused request from {}: {}", ctx.channel().remoteAddress(), request.decoderResult().isFailure()
                    ? request.decoderResult().cause().toString() : refusal.get().toString());
            HttpHeaders headers = new DefaultHttpHeaders();
            Responses.keepAliveOff(headers);
            Responses.send(ctx, refusal.get(), headers, Responses.utf8(request.decoderResult().isFailure()
                    ? "malformed HTTP request\n" : refusal.get().reasonPhrase() + "\n"), false)
                    .addListener(ChannelFutureListener.CLOSE);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        boolean expectsBody = HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
        RequestBody body = expectsBody
                ? new RequestBody(() -> ctx.channel().config().setAutoRead(false), this::resumeReading,
                        settings.bodyIdleTimeout())
                : RequestBody.empty();
        receiving = body.isComplete() ? null : body;
        Exchange exchange = new Exchange(ctx, request, uri, body, settings, this::finished);
        current = exchange;
        inFlight.begin();
        // Routed once, here; a path that does not route (or decode) is answered by handle().
        Route route = routeOf(exchange);
        if (route != null) {
            exchange.routeKind(route.kind());
        }
        if (expectsBody || route == null || !answeredFromMemory(route, exchange)) {
            executor.execute(() -> run(exchange, route));
        }
        if (!expectsBody) {
            // Discard the LastHttpContent that follows; hold pipelined requests until we answer.
            receiving = new RequestBody(() -> { }, () -> { }, settings.bodyIdleTimeout());
        }
    }

    /**
     * Why a request head is refused before routing: it did not decode (400), names a protocol
     * version this server does not speak (505), or is HTTP/1.1 without the {@code Host} it requires (400).
     */
    private static Optional<HttpResponseStatus> refusal(HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            return Optional.of(HttpResponseStatus.BAD_REQUEST);
        }
        HttpVersion version = request.protocolVersion();
        if (!version.protocolName().equals("HTTP") || version.majorVersion() != 1 || version.minorVersion() > 1) {
            return Optional.of(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED);
        }
        if (version.minorVersion() == 1 && !request.headers().contains(HttpHeaderNames.HOST)) {
            return Optional.of(HttpResponseStatus.BAD_REQUEST);
        }
        return Optional.empty();
    }

    /**
     * Answers on this event loop when the dispatcher can from memory (a cached manifest): no
     * thread hand-off for the commonest pull requests. False when the request must go to a worker.
     */
    private boolean answeredFromMemory(Route route, Exchange exchange) {
        MDC.put(Exchange.MDC_REQUEST_ID, exchange.requestId());
        try {
            return route.methods().contains(exchange.request().method()) && dispatcher.answerFromMemory(route, exchange);
        } catch (RuntimeException | java.io.IOException e) {
            LOG.debug("{} {}: not answered from memory: {}", exchange.method(), exchange.path(), e.toString());
            return exchange.responded();
        } finally {
            MDC.remove(Exchange.MDC_REQUEST_ID);
        }
    }

    /** The request's route, or null when there is none or the path does not decode. */
    private static @Nullable Route routeOf(Exchange exchange) {
        try {
            return Router.match(exchange.path()).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Runs the handler; whatever happens, the request is answered or its connection closed. */
    private void run(Exchange exchange, @Nullable Route matched) {
        MDC.put(Exchange.MDC_REQUEST_ID, exchange.requestId());
        try {
            handle(exchange, matched);
        } catch (Throwable t) {
            LOG.error("{} {}: failed while answering", exchange.method(), exchange.path(), t);
            exchange.abort();
        } finally {
            MDC.remove(Exchange.MDC_REQUEST_ID);
        }
    }

    private void handle(Exchange exchange, @Nullable Route matched) {
        try {
            String path = exchange.path();
            Route route = matched != null ? matched : Router.match(path).orElseThrow(() -> new RegistryException(
                    ErrorCode.NOT_FOUND, "no such route: " + exchange.method() + " " + path));
            HttpMethod method = exchange.request().method();
            if (!route.methods().contains(method)) {
                exchange.respondError(new RegistryException(ErrorCode.UNSUPPORTED, method + " is not allowed on " + path),
                        Map.of("Allow", route.methods().stream().map(HttpMethod::name).sorted()
                                .collect(Collectors.joining(", "))));
                return;
            }
            dispatcher.dispatch(route, exchange);
        } catch (RegistryException e) {
            respondError(exchange, e);
        } catch (ClientGoneException e) {
            LOG.debug("{} {}: {}", exchange.method(), exchange.path(), e.getMessage());
            exchange.abort();
        } catch (Throwable t) {
            LOG.error("{} {} failed", exchange.method(), exchange.path(), t);
            respondError(exchange, new RegistryException(ErrorCode.UNKNOWN, "internal error; the registry's log has the details"));
        } finally {
            if (!exchange.responded()) {
                LOG.error("{} {}: the handler sent no response", exchange.method(), exchange.path());
                respondError(exchange, new RegistryException(ErrorCode.UNKNOWN, "the request was not answered"));
            }
            exchange.body().discard();
        }
    }

    private static void respondError(Exchange exchange, RegistryException e) {
        if (exchange.responded()) {
            // Headers are out already (a blob stream failed): all we can do is cut the connection.
            exchange.abort();
            return;
        }
        exchange.respondError(e);
    }

    /** Called (on any thread) when the response is written or the connection dropped. */
    private void finished(Exchange exchange) {
        inFlight.end();
        observer.finished(exchange.routeKind(), exchange.method(), exchange.status(), exchange.bytes(),
                exchange.elapsedNanos());
        if (settings.accessLog()) {
            MDC.put(Exchange.MDC_REQUEST_ID, exchange.requestId());
            try {
                ACCESS.info("{} \"{} {}\" {} {} {}ms \"{}\"", ctxRemote(), exchange.method(), exchange.request().uri(),
                        exchange.status(), exchange.bytes(), exchange.elapsedMillis(),
                        exchange.header("User-Agent").orElse("-"));
            } finally {
                MDC.remove(Exchange.MDC_REQUEST_ID);
            }
        }
        ChannelHandlerContext c = ctx;
        if (c == null) {
            return;
        }
        c.executor().execute(() -> {
            if (current != exchange) {
                return;
            }
            current = null;
            HeadTimeout headTimeout = c.pipeline().get(HeadTimeout.class);
            if (headTimeout != null) {
                headTimeout.awaitNextHead();
            }
            // A body still arriving belongs to an answered request (whose response closes the
            // connection): what else comes of it is released unread.
            receiving = null;
            while (!pending.isEmpty() && !blocked()) {
                process(c, pending.poll());
            }
            // Read on when idle, or when a request taken from the queue still has body to come.
            if (c.channel().isActive() && pending.isEmpty() && !blocked()) {
                c.channel().config().setAutoRead(true);
            }
        });
    }

    private void resumeReading() {
        ChannelHandlerContext c = ctx;
        if (c != null) {
            c.executor().execute(() -> {
                if (receiving != null && pending.isEmpty()) {
                    c.channel().config().setAutoRead(true);
                }
            });
        }
    }

    private String ctxRemote() {
        ChannelHandlerContext c = ctx;
        return c == null ? "-" : String.valueOf(c.channel().remoteAddress());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (receiving != null) {
            receiving.fail("the client closed the connection before sending the whole request body");
            receiving = null;
        }
        for (Object o; (o = pending.poll()) != null; ) {
            ReferenceCountUtil.release(o);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && current == null) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        if (receiving != null) {
            receiving.fail("connection failed: " + cause);
            receiving = null;
        }
        ctx.close();
    }
}
