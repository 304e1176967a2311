package io.hoard.server.metrics;

import io.hoard.proxy.BlobFetcher;
import io.hoard.proxy.ProxyMetrics;
import io.hoard.proxy.Upstreams;
import io.hoard.server.http.RequestObserver;
import io.hoard.upstream.RegistryClient;
import io.hoard.upstream.UpstreamStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Every meter Hoard exports, in Prometheus's naming ({@code _total}, {@code _seconds},
 * {@code _bytes}) and with bounded labels: route kinds, methods, status codes and configured
 * upstreams — never repositories or digests. Counters kept elsewhere (the cache's, each
 * upstream's) are read at scrape time, so the request path pays nothing for them.
 */
public final class RegistryMetrics implements RequestObserver {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> bytes = new ConcurrentHashMap<>();

    public RegistryMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        var netty = PooledByteBufAllocator.DEFAULT.metric();
        Gauge.builder("hoard_netty_buffer_memory_used", netty, m -> m.usedDirectMemory()).tag("area", "direct")
                .baseUnit("bytes").description("Memory held by Netty's pooled buffers").register(registry);
        Gauge.builder("hoard_netty_buffer_memory_used", netty, m -> m.usedHeapMemory()).tag("area", "heap")
                .baseUnit("bytes").description("Memory held by Netty's pooled buffers").register(registry);
    }

    /** The meters, for tests and for binders. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    /** Requests in flight and open connections. */
    public void bindServer(IntSupplier inFlight, IntSupplier connections) {
        Gauge.builder("hoard_http_requests_in_flight", inFlight, s -> s.getAsInt())
                .description("Requests being answered").register(registry);
        Gauge.builder("hoard_http_connections_open", connections, s -> s.getAsInt())
                .description("Client connections open").register(registry);
    }

    /** 1 for each failing health check (by its name: the configured checks only). */
    public void bindHealth(io.hoard.server.health.HealthMonitor health) {
        for (String name : health.names()) {
            Gauge.builder("hoard_health_check_failing", health, h -> h.isFailing(name) ? 1 : 0).tag("check", name)
                    .description("1 while the health check fails").register(registry);
        }
    }

    /** Upload sessions open on this instance. */
    public void bindUploads(io.hoard.storage.DriverRegistry registry) {
        Gauge.builder("hoard_upload_sessions_open", registry, r -> r.openUploads())
                .description("Upload sessions this instance started or resumed and has not seen end").register(this.registry);
    }

    /** Free and total space of the volume the storage root is on (filesystem storage). */
    public void bindStorageRoot(Path root) {
        new DiskSpaceMetrics(root.toFile()).bindTo(registry);
    }

    /** The cache's counters and its fills in flight. */
    public void bindCache(ProxyMetrics cache, BlobFetcher fetcher) {
        counter("hoard_cache_requests", cache, ProxyMetrics::blobHits, "Blob and manifest requests, by result", "kind",
                "blob", "result", "hit");
        counter("hoard_cache_requests", cache, ProxyMetrics::blobMisses, "Blob and manifest requests, by result", "kind",
                "blob", "result", "miss");
        counter("hoard_cache_requests", cache, ProxyMetrics::manifestHits, "Blob and manifest requests, by result", "kind",
                "manifest", "result", "hit");
        counter("hoard_cache_requests", cache, ProxyMetrics::manifestMisses, "Blob and manifest requests, by result",
                "kind", "manifest", "result", "miss");
        counter("hoard_cache_coalesced", cache, ProxyMetrics::coalesced, "Blob requests that joined a fill under way");
        counter("hoard_cache_stale_serves", cache, ProxyMetrics::staleServes,
                "Tags served from cache because the upstream could not be asked");
        counter("hoard_cache_revalidations", cache, ProxyMetrics::revalidations, "Tags checked upstream after their TTL");
        counter("hoard_cache_fill_failures", cache, ProxyMetrics::fillFailures, "Fills from upstream that failed");
        counter("hoard_cache_prefetches", cache, ProxyMetrics::prefetches, "Fills started ahead of clients");
        Gauge.builder("hoard_cache_fills_in_flight", fetcher, BlobFetcher::fillsInFlight)
                .description("Blob fills from upstreams running now").register(registry);
    }

    /** Each configured upstream's requests, errors, bytes, 429s, Docker Hub's rate limit and circuit breaker. */
    public void bindUpstreams(Upstreams upstreams) {
        for (Upstreams.Configured c : upstreams.configured()) {
            RegistryClient client = c.client();
            UpstreamStats stats = client.stats();
            Tags tags = Tags.of("upstream", c.remote().url().toString());
            FunctionCounter.builder("hoard_upstream_requests", stats, s -> s.requests()).tags(tags)
                    .description("Requests sent to the upstream").register(registry);
            FunctionCounter.builder("hoard_upstream_errors", stats, s -> s.errors()).tags(tags)
                    .description("Upstream requests that failed (unreachable, 5xx, protocol)").register(registry);
            FunctionCounter.builder("hoard_upstream_received", stats, s -> s.bytes()).tags(tags).baseUnit("bytes")
                    .description("Manifest and blob bytes received from the upstream").register(registry);
            FunctionCounter.builder("hoard_upstream_rate_limited", stats, s -> s.tooManyRequests()).tags(tags)
                    .description("429 answers from the upstream").register(registry);
            gauge("hoard_upstream_ratelimit_limit", stats, s -> s.rateLimitLimit(), tags,
                    "The upstream's ratelimit-limit header (-1: never sent)");
            gauge("hoard_upstream_ratelimit_remaining", stats, s -> s.rateLimitRemaining(), tags,
                    "The upstream's ratelimit-remaining header (-1: never sent)");
            gauge("hoard_upstream_circuit_open", client, cl -> cl.circuitOpen() ? 1 : 0, tags,
                    "1 while the circuit breaker refuses calls to the upstream");
            FunctionCounter.builder("hoard_upstream_tokens_fetched", stats, s -> s.tokensFetched()).tags(tags)
                    .description("Tokens fetched from the upstream's token service").register(registry);
            for (String kind : UpstreamStats.CALL_KINDS) {
                UpstreamStats.Calls calls = stats.calls(kind);
                FunctionTimer.builder("hoard_upstream_calls", calls, UpstreamStats.Calls::count,
                        UpstreamStats.Calls::totalNanos, java.util.concurrent.TimeUnit.NANOSECONDS).tags(tags).tag("kind", kind)
                        .description("Calls to the upstream, by kind: count and time until the answer's head")
                        .register(registry);
                FunctionCounter.builder("hoard_upstream_call_errors", calls, UpstreamStats.Calls::errors).tags(tags).tag("kind", kind)
                        .description("Calls to the upstream that failed, by kind").register(registry);
            }
        }
    }

    @Override
    public void finished(String route, String method, int status, long sent, long nanos) {
        String key = route + ' ' + method + ' ' + status;
        timers.computeIfAbsent(key, k -> Timer.builder("hoard_http_requests").tag("route", route).tag("method", method)
                .tag("status", Integer.toString(status)).description("Requests answered, by route kind, method and status")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10)).register(registry)).record(nanos,
                java.util.concurrent.TimeUnit.NANOSECONDS);
        if (sent > 0) {
            bytes.computeIfAbsent(route, r -> Counter.builder("hoard_http_response_body").tag("route", r).baseUnit("bytes")
                    .description("Response body bytes, by route kind").register(registry)).increment(sent);
        }
    }

    private <T> void counter(String name, T source, ToLongFunction<T> value, String description, String... tags) {
        FunctionCounter.builder(name, source, s -> value.applyAsLong(s)).tags(tags).description(description)
                .register(registry);
    }

    private <T> void gauge(String name, T source, ToDoubleFunction<T> value, Tags tags, String description) {
        Gauge.builder(name, source, value).tags(tags).description(description).register(registry);
    }
}
