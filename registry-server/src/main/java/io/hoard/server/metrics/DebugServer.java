package io.hoard.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hoard.model.Json;
import io.hoard.server.health.HealthMonitor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * The {@code http.debug.addr} listener, apart from the registry's port: {@code /debug/health}
 * (distribution's format: {@code {}} when healthy, else each failing check with its error, 503)
 * and, with {@code http.debug.prometheus.enabled}, the metrics at {@code http.debug.prometheus.path}.
 * The JDK's small HTTP server on virtual threads: a scrape every few seconds needs nothing more.
 */
public final class DebugServer implements AutoCloseable {
    private final HttpServer server;

    /**
     * @param metrics the meters, or null when Prometheus is not enabled
     */
    public DebugServer(InetSocketAddress address, HealthMonitor health, @Nullable RegistryMetrics metrics, String metricsPath)
            throws IOException {
        this.server = HttpServer.create(address, 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/debug/health", exchange -> {
            Map<String, String> failing = health.failing();
            respond(exchange, failing.isEmpty() ? 200 : 503, "application/json; charset=utf-8",
                    Json.MAPPER.writeValueAsBytes(failing));
        });
        if (metrics != null) {
            server.createContext(metricsPath, exchange -> {
                if (!exchange.getRequestURI().getPath().equals(metricsPath)) {
                    respond(exchange, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                        metrics.scrape().getBytes(StandardCharsets.UTF_8));
            });
        }
        server.start();
    }

    /** Where it listens. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", type);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(status, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
