package io.hoard.server.http;

import io.hoard.model.RegistryException;
import io.hoard.storage.BlobContent;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * One request and its response, as a handler sees it: plain Java, no Netty types. Exactly one of
 * the {@code respond} methods is called per exchange; the response's end is reported to the
 * connection handler so that the next request on the connection can start.
 */
public final class Exchange {
    static final String API_VERSION_HEADER = "Docker-Distribution-API-Version";
    static final String REQUEST_ID_HEADER = "X-Request-Id";
    /** The MDC key of the request id (text logs show it as {@code request_id=...}, JSON logs as a field). */
    public static final String MDC_REQUEST_ID = "request_id";

    private final ChannelHandlerContext ctx;
    private final HttpRequest request;
    private final QueryStringDecoder uri;
    private final RequestBody body;
    private final ServerSettings settings;
    private final Consumer<Exchange> onDone;
    private final long startNanos = System.nanoTime();
    private final String requestId = newRequestId();
    private volatile String routeKind = "none";
    private volatile boolean responded;
    private int status;
    private long bytes;

    Exchange(ChannelHandlerContext ctx, HttpRequest request, QueryStringDecoder uri, RequestBody body,
            ServerSettings settings, Consumer<Exchange> onDone) {
        this.ctx = ctx;
        this.request = request;
        this.uri = uri;
        this.body = body;
        this.settings = settings;
        this.onDone = onDone;
    }

    // ---- the request ----

    /** This request's id: in the {@code X-Request-Id} response header and on every log line about it. */
    public String requestId() {
        return requestId;
    }

    void routeKind(String kind) {
        this.routeKind = kind;
    }

    String routeKind() {
        return routeKind;
    }

    long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }

    private static String newRequestId() {
        byte[] id = new byte[8];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(id);
        return java.util.HexFormat.of().formatHex(id);
    }

    public String method() {
        return request.method().name();
    }

    public boolean isHead() {
        return request.method().equals(HttpMethod.HEAD);
    }

    /** The path as sent, not percent-decoded: {@link Router} decodes it segment by segment. */
    public String path() {
        return uri.rawPath();
    }

    /**
     * The first value of a query parameter.
     *
     * @throws RegistryException {@code BAD_REQUEST} when the query has a malformed percent-escape
     */
    public Optional<String> query(String name) {
        List<String> values;
        try {
            values = uri.parameters().get(name);
        } catch (IllegalArgumentException e) {
            throw new RegistryException(io.hoard.model.ErrorCode.BAD_REQUEST, "the query string has an invalid percent-escape");
        }
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** Every value of a query parameter ({@code scope} may come several times). */
    public List<String> queryAll(String name) {
        try {
            return uri.parameters().getOrDefault(name, List.of());
        } catch (IllegalArgumentException e) {
            throw new RegistryException(io.hoard.model.ErrorCode.BAD_REQUEST, "the query string has an invalid percent-escape");
        }
    }

    /** The first value of a request header. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(request.headers().get(name));
    }

    /** Every value of a request header (clients send several {@code Accept} lines). */
    public List<String> headers(String name) {
        return request.headers().getAll(name);
    }

    /** Whether the connection comes from a loopback address (the socket's, never a forwarded header). */
    public boolean fromLoopback() {
        return ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a && a.getAddress() != null
                && a.getAddress().isLoopbackAddress();
    }

    public RequestBody body() {
        return body;
    }

    /** True when the request says it carries a body (Content-Length > 0 or chunked). */
    public boolean hasBody() {
        String length = request.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        return request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING) || (length != null && !length.equals("0"));
    }

    /** A URL for {@code path} on this registry, for Location headers. */
    public String url(String path) {
        return settings.relativeUrls() ? path : absoluteUrl(path);
    }

    /** An absolute URL for {@code path} on this registry (from http.host, else the request's Host). */
    public String absoluteUrl(String path) {
        if (!settings.host().isEmpty()) {
            return settings.host().replaceAll("/+$", "") + path;
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host == null || host.isBlank()) {
            return path;
        }
        String scheme = Responses.zeroCopy(ctx) ? "http" : "https";
        return scheme + "://" + host + path;
    }

    // ---- the response ----

    /** A response without a body. */
    public void respond(int status, Map<String, String> headers) {
        respondBytes(status, headers, new byte[0], null);
    }

    /** A JSON response. */
    public void respondJson(int status, Map<String, String> headers, Object value, String contentType) {
        respondBytes(status, headers, Responses.json(value), contentType);
    }

    /** A response with a fixed body. */
    public void respondBytes(int status, Map<String, String> headers, byte[] content, @Nullable String contentType) {
        HttpHeaders h = responseHeaders(headers);
        if (contentType != null) {
            h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        begin(status, isHead() ? 0 : content.length);
        done(Responses.send(ctx, HttpResponseStatus.valueOf(status), h, content, isHead()));
    }

    /** Streams {@code length} bytes of an open blob; takes ownership of {@code blob}. */
    public void respondBlob(int status, Map<String, String> headers, BlobContent blob, long length) throws IOException {
        HttpHeaders h = responseHeaders(headers);
        if (isHead()) {
            blob.close();
            h.set(HttpHeaderNames.CONTENT_LENGTH, length);
            begin(status, 0);
            done(Responses.send(ctx, HttpResponseStatus.valueOf(status), h, new byte[0], true));
            return;
        }
        begin(status, length);
        boolean zeroCopy = Responses.zeroCopy(ctx);
        if (zeroCopy && blob.channel() instanceof java.nio.channels.FileChannel file) {
            done(Responses.sendFile(ctx, Responses.head(HttpResponseStatus.valueOf(status), h), file, length));
            return;
        }
        // Anything else may block (a blob still being fetched, remote storage): pumped from this
        // virtual thread, never read on the event loop.
        h.set(HttpHeaderNames.CONTENT_LENGTH, length);
        ctx.write(Responses.head(HttpResponseStatus.valueOf(status), h));
        try (blob) {
            done(zeroCopy && blob.channel() instanceof io.hoard.storage.GrowingFile growing
                    ? Responses.follow(ctx, growing, blob.offset(), length)
                    : Responses.pump(ctx, blob.channel(), length));
        } catch (IOException e) {
            LoggerFactory.getLogger(Exchange.class).warn("{} {}: response cut off after headers: {}", method(), path(),
                    e.getMessage());
            status = 499;
            ctx.close().addListener(f -> onDone.accept(this));
        }
    }

    /**
     * Starts a chunked response of JSON lines ({@code application/x-ndjson}) for work that reports
     * as it goes; the caller sends lines and then ends it.
     */
    public JsonLines respondJsonLines(int status, Map<String, String> headers) {
        HttpHeaders h = responseHeaders(headers);
        h.set(HttpHeaderNames.CONTENT_TYPE, "application/x-ndjson");
        h.set(HttpHeaderNames.TRANSFER_ENCODING, io.netty.handler.codec.http.HttpHeaderValues.CHUNKED);
        begin(status, 0);
        ctx.writeAndFlush(Responses.head(HttpResponseStatus.valueOf(status), h));
        return new JsonLines();
    }

    /** A response of JSON lines under way: each {@link #send} goes out at once. */
    public final class JsonLines {
        private boolean ended;

        private JsonLines() {
        }

        /** Sends one line; false when the client has gone (the work may go on). */
        public synchronized boolean send(Object value) {
            if (ended || !ctx.channel().isActive()) {
                return false;
            }
            byte[] line = Responses.json(value);
            io.netty.buffer.ByteBuf buf = ctx.alloc().buffer(line.length + 1).writeBytes(line).writeByte('\n');
            bytes += line.length + 1;
            ctx.writeAndFlush(new io.netty.handler.codec.http.DefaultHttpContent(buf));
            return true;
        }

        /** Ends the response. */
        public synchronized void end() {
            if (!ended) {
                ended = true;
                done(ctx.writeAndFlush(io.netty.handler.codec.http.LastHttpContent.EMPTY_LAST_CONTENT));
            }
        }
    }

    /** A V2 error response; a 401 carries the challenge that makes docker send credentials. */
    public void respondError(RegistryException e, Map<String, String> headers) {
        if (e.code() == io.hoard.model.ErrorCode.UNAUTHORIZED && !headers.containsKey("WWW-Authenticate")) {
            Map<String, String> withChallenge = new java.util.LinkedHashMap<>(headers);
            withChallenge.put("WWW-Authenticate", "Basic realm=\"Hoard\"");
            headers = withChallenge;
        }
        respondBytes(e.httpStatus(), headers, Responses.errorBody(e), "application/json; charset=utf-8");
    }

    public void respondError(RegistryException e) {
        respondError(e, Map.of());
    }

    /** Drops the connection without a response (the client is gone or the request is unusable). */
    void abort() {
        if (!responded) {
            responded = true;
            status = 499;
            ctx.close().addListener(f -> onDone.accept(this));
        }
    }

    boolean responded() {
        return responded;
    }

    int status() {
        return status;
    }

    long bytes() {
        return bytes;
    }

    long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    HttpRequest request() {
        return request;
    }

    private void begin(int status, long bytes) {
        if (responded) {
            throw new IllegalStateException("a response was already sent for " + method() + " " + path());
        }
        responded = true;
        this.status = status;
        this.bytes = bytes;
    }

    private void done(ChannelFuture last) {
        last.addListener((ChannelFutureListener) f -> onDone.accept(this));
    }

    private HttpHeaders responseHeaders(Map<String, String> headers) {
        HttpHeaders h = new DefaultHttpHeaders();
        h.set(API_VERSION_HEADER, "registry/2.0");
        h.set(REQUEST_ID_HEADER, requestId);
        settings.extraHeaders().forEach(h::set);
        headers.forEach(h::set);
        if (!body.isComplete()) {
            // The rest of the request body is still coming: the connection cannot be reused.
            Responses.keepAliveOff(h);
        }
        return h;
    }
}
