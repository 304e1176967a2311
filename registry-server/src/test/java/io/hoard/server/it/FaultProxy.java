package io.hoard.server.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP proxy in front of a real upstream that counts what passes and injects faults: it
 * forwards every header (repeated {@code Accept} lines included, which distribution needs) and can
 * cut a blob off midway, corrupt its bytes, hang, answer 429 or 503, or trickle slowly.
 */
public final class FaultProxy implements AutoCloseable {
    /** What happens to requests (blob faults apply to {@code GET .../blobs/...} only). */
    public enum Mode { PASS, KILL_BLOB, KILL_BLOB_ONCE, CORRUPT_BLOB, HANG, TOO_MANY_REQUESTS, SERVER_ERROR, SLOW_BLOB }

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "host", "transfer-encoding",
            "upgrade", "keep-alive", "expect");

    private final HttpServer server;
    private final URI upstream;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private volatile Mode mode = Mode.PASS;
    private final CountDownLatch released = new CountDownLatch(1);
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final AtomicLong blobBytes = new AtomicLong();
    private final AtomicInteger killedOnce = new AtomicInteger();

    private FaultProxy(HttpServer server, URI upstream) {
        this.server = server;
        this.upstream = upstream;
    }

    public static FaultProxy start(String upstreamUrl) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        FaultProxy proxy = new FaultProxy(server, URI.create(upstreamUrl));
        server.createContext("/", proxy::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return proxy;
    }

    public String url() {
        return "http://" + host();
    }

    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public void mode(Mode m) {
        mode = m;
        killedOnce.set(0);
    }

    /** Requests whose method and path start with {@code prefix}, e.g. {@code "GET /v2/library/app/blobs/"}. */
    public int count(String prefix) {
        return counts.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToInt(e -> e.getValue().get()).sum();
    }

    /** Requests whose method and path contain {@code part}. */
    public int countContaining(String part) {
        return counts.entrySet().stream().filter(e -> e.getKey().contains(part)).mapToInt(e -> e.getValue().get()).sum();
    }

    /** Bytes of blob bodies sent to clients. */
    public long blobBytes() {
        return blobBytes.get();
    }

    public void resetCounts() {
        counts.clear();
        blobBytes.set(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String key = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
        counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        Mode m = mode;
        boolean blobGet = exchange.getRequestMethod().equals("GET") && exchange.getRequestURI().getPath().contains("/blobs/");
        try (exchange) {
            switch (m) {
                case HANG -> {
                    released.await(5, TimeUnit.MINUTES);
                    return;
                }
                case TOO_MANY_REQUESTS -> {
                    exchange.getResponseHeaders().set("Retry-After", "30");
                    exchange.sendResponseHeaders(429, -1);
                    return;
                }
                case SERVER_ERROR -> {
                    exchange.sendResponseHeaders(503, -1);
                    return;
                }
                default -> forward(exchange, blobGet ? m : Mode.PASS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void forward(HttpExchange exchange, Mode m) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(upstream.resolve(exchange.getRequestURI().toString()))
                .timeout(Duration.ofSeconds(120));
        for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
            if (!HOP_BY_HOP.contains(h.getKey().toLowerCase())) {
                for (String v : h.getValue()) {
                    b.header(h.getKey(), v);
                }
            }
        }
        byte[] body = exchange.getRequestBody().readAllBytes();
        b.method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        r.headers().map().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase()) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        try (InputStream in = r.body()) {
            if (head) {
                if (length >= 0) {
                    exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
                }
                exchange.sendResponseHeaders(r.statusCode(), -1);
                return;
            }
            exchange.sendResponseHeaders(r.statusCode(), length <= 0 ? (length == 0 ? -1 : 0) : length);
            OutputStream out = exchange.getResponseBody();
            boolean isBlob = r.statusCode() / 100 == 2 && exchange.getRequestURI().getPath().contains("/blobs/");
            byte[] buf = new byte[64 * 1024];
            long sent = 0;
            for (int n; (n = in.read(buf)) >= 0; ) {
                if (isBlob && (m == Mode.KILL_BLOB || (m == Mode.KILL_BLOB_ONCE && killedOnce.get() == 0))
                        && length > 0 && sent + n > length / 2) {
                    killedOnce.incrementAndGet();
                    throw new IOException("fault injected: upstream killed mid-blob");
                }
                if (isBlob && m == Mode.CORRUPT_BLOB && sent == 0 && n > 0) {
                    buf[0] ^= 0x5a;
                }
                out.write(buf, 0, n);
                sent += n;
                if (isBlob) {
                    blobBytes.addAndGet(n);
                }
                if (isBlob && m == Mode.SLOW_BLOB) {
                    out.flush();
                    Thread.sleep(25);
                }
            }
        }
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
    }
}
