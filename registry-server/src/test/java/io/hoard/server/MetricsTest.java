package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.model.Digest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** http.debug: Prometheus metrics and /debug/health on their own listener, never on the registry's port. */
final class MetricsTest {
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void requestsCacheUpstreamJvmAndDiskMetricsAreScraped() throws Exception {
        try (TestRegistry upstream = TestRegistry.inMemory("");
                TestRegistry hoard = TestRegistry.withHttp("""
                          debug:
                            addr: 127.0.0.1:0
                            prometheus:
                              enabled: true
                              path: /metrics
                        """, """
                        storage:
                          filesystem:
                            rootdirectory: %s
                        proxy:
                          remoteurl: %s
                        """.formatted(dir, upstream.base))) {
            byte[] layer = TestRegistry.randomBytes(100_000, 3);
            upstream.pushImage("library/app", "1", layer);
            assertThat(hoard.get("/v2/library/app/manifests/1", "Accept", TestRegistry.OCI_MANIFEST).statusCode()).isEqualTo(200);
            assertThat(hoard.get("/v2/library/app/blobs/" + Digest.sha256(layer)).statusCode()).isEqualTo(200);
            assertThat(hoard.get("/v2/library/app/blobs/" + Digest.sha256(layer)).statusCode()).isEqualTo(200);
            assertThat(hoard.get("/v2/library/nothing/manifests/1", "Accept", TestRegistry.OCI_MANIFEST).statusCode())
                    .isEqualTo(404);
            String upload = hoard.startUpload("mine/pushing"); // left open
            assertThat(upload).isNotEmpty();
            Thread.sleep(200); // the last response's observation follows its last byte

            String debug = "http://127.0.0.1:" + hoard.app.debugAddress().orElseThrow().getPort();
            HttpResponse<String> scrape = get(debug + "/metrics");
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            String m = scrape.body();
            assertThat(m).contains("hoard_http_requests_seconds_count{method=\"GET\",route=\"manifest\",status=\"200\"} 1")
                    .contains("hoard_http_requests_seconds_count{method=\"GET\",route=\"blob\",status=\"200\"} 2")
                    .contains("hoard_http_requests_seconds_count{method=\"GET\",route=\"manifest\",status=\"404\"} 1")
                    .contains("hoard_http_requests_seconds_bucket{")
                    .contains("hoard_http_response_body_bytes_total{route=\"blob\"} 200000")
                    .contains("hoard_cache_requests_total{kind=\"blob\",result=\"miss\"} 1")
                    .contains("hoard_cache_requests_total{kind=\"manifest\",result=\"miss\"}")
                    .contains("hoard_cache_fills_in_flight")
                    .contains("hoard_upstream_requests_total{upstream=\"" + upstream.base + "\"}")
                    .contains("hoard_upstream_received_bytes_total{upstream=\"" + upstream.base + "\"}")
                    .contains("hoard_upstream_circuit_open{upstream=\"" + upstream.base + "\"} 0")
                    .contains("hoard_upstream_ratelimit_remaining{")
                    .contains("hoard_http_requests_in_flight").contains("hoard_http_connections_open")
                    .contains("hoard_upload_sessions_open 1.0")
                    .contains("jvm_memory_used_bytes").contains("jvm_gc_").contains("process_uptime_seconds")
                    .contains("hoard_netty_buffer_memory_used_bytes{area=\"direct\"}")
                    .contains("disk_free_bytes").contains("disk_total_bytes")
                    .contains("hoard_storage_operations_seconds_count{driver=\"filesystem\",operation=\"get_content\",outcome=\"ok\"}")
                    .contains("hoard_storage_operations_seconds_count{driver=\"filesystem\",operation=\"put_content\",outcome=\"ok\"}")
                    .contains("hoard_upstream_calls_seconds_count{kind=\"manifest_get\",upstream=\"" + upstream.base + "\"} ")
                    .contains("hoard_upstream_calls_seconds_sum{kind=\"blob_get\",upstream=\"" + upstream.base + "\"}")
                    .contains("hoard_upstream_call_errors_total{kind=\"manifest_head\",upstream=\"" + upstream.base + "\"} 0")
                    .contains("hoard_upstream_tokens_fetched_total{upstream=\"" + upstream.base + "\"} 0")
                    .doesNotContain("library/app").doesNotContain(Digest.sha256(layer).hex());

            HttpResponse<String> health = get(debug + "/debug/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("{}");
            assertThat(hoard.get("/metrics").statusCode()).as("not on the registry's port").isEqualTo(404);
        }
    }

    @Test
    void withoutPrometheusTheDebugListenerServesHealthOnly() throws Exception {
        try (TestRegistry hoard = TestRegistry.withHttp("  debug:\n    addr: 127.0.0.1:0\n", "storage:\n  inmemory: {}\n")) {
            String debug = "http://127.0.0.1:" + hoard.app.debugAddress().orElseThrow().getPort();
            assertThat(get(debug + "/debug/health").statusCode()).isEqualTo(200);
            assertThat(get(debug + "/metrics").statusCode()).isEqualTo(404);
        }
        try (TestRegistry hoard = TestRegistry.inMemory("")) {
            assertThat(hoard.app.debugAddress()).isEmpty();
        }
    }
}
