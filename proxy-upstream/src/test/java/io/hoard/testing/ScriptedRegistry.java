package io.hoard.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * An upstream registry played by a script, in the test JVM on a loopback port: each request goes to
 * the {@link Script}, which answers it; every request is recorded with its headers, so a test can
 * assert what Hoard asked and with which credentials.
 */
public final class ScriptedRegistry implements AutoCloseable {

    /** One request as received. */
    public record Request(String method, String path, Map<String, List<String>> headers) {
        public String header(String name) {
            List<String> values = headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(Map.Entry::getValue).findFirst().orElse(List.of());
            return values.isEmpty() ? null : values.get(0);
        }

        public String line() {
            return method + " " + path;
        }
    }

    /** An answer: status, headers, body (sent with Content-Length; none for HEAD). */
    public record Answer(int status, Map<String, String> headers, byte[] body) {
        public static Answer of(int status) {
            return new Answer(status, Map.of(), new byte[0]);
        }

        public static Answer of(int status, Map<String, String> headers, String body) {
            return new Answer(status, headers, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** Answers one request; {@code n} counts the requests so far, from 0. */
    @FunctionalInterface
    public interface Script {
        Answer answer(Request request, int n) throws Exception;
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Script script;

    private ScriptedRegistry(Script script) throws IOException {
        this.script = script;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    public static ScriptedRegistry start(Script script) throws IOException {
        return new ScriptedRegistry(script);
    }

    /** {@code http://127.0.0.1:<port>} */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void script(Script next) {
        this.script = next;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** How many requests had this method and path (query included). */
    public long count(String method, String path) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).count();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
            Request request = new Request(exchange.getRequestMethod(), path, Map.copyOf(exchange.getRequestHeaders()));
            int n;
            synchronized (requests) {
                n = requests.size();
                requests.add(request);
            }
            Answer answer;
            try {
                answer = script.answer(request, n);
            } catch (Exception e) {
                answer = Answer.of(500, Map.of(), "script failed: " + e);
            }
            answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            boolean head = request.method().equals("HEAD");
            long length = answer.body().length;
            if (head) {
                exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
            }
            exchange.sendResponseHeaders(answer.status(), head ? -1 : length == 0 ? -1 : length);
            if (!head && length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer.body());
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
