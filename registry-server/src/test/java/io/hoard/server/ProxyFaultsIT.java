package io.hoard.server;

import static io.hoard.server.TestRegistry.assertError;
import static io.hoard.server.it.V2Pusher.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hoard.model.Digest;
import io.hoard.server.it.Distribution;
import io.hoard.server.it.FaultProxy;
import io.hoard.server.it.V2Pusher;
import java.io.IOException;
import java.time.Duration;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream faults, injected between Hoard and a real distribution: broken and corrupt blobs are
 * never committed, an upstream that is down, hung, rate limiting or failing leaves cached content
 * served (stale when the TTL ran out), and content never cached gets a clear 503 or 429.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
final class ProxyFaultsIT {
    @TempDir
    static Path work;

    private Distribution upstream;
    private V2Pusher seed;
    private int instances;

    @BeforeAll
    void start() throws Exception {
        upstream = Distribution.start(work.resolve("upstream"));
        seed = new V2Pusher(upstream.url());
    }

    @AfterAll
    void stop() throws Exception {
        upstream.close();
    }

    /** A Hoard of its own whose default upstream is {@code proxy}. */
    private TestRegistry hoard(FaultProxy proxy, String ttl) throws Exception {
        return TestRegistry.filesystem(work.resolve("hoard-" + instances++), """
                proxy:
                  remoteregistries:
                  - url: %s
                  ttl: %s
                  timeout: 1s
                  connecttimeout: 1s
                """.formatted(proxy.url(), ttl));
    }

    private static boolean stored(TestRegistry hoard, Digest d) {
        Path root = Path.of(hoard.app.config().storage().parameters().get("rootdirectory").toString());
        return Files.exists(root.resolve("docker/registry/v2/blobs/sha256/" + d.hex().substring(0, 2) + "/" + d.hex() + "/data"));
    }

    @Test
    void upstreamKilledMidBlobCommitsNothingAndTheNextPullSucceeds() throws Exception {
        byte[] layer = randomBytes(4_000_000, 1);
        Digest d = seed.pushBlob("library/killed", layer);
        try (FaultProxy proxy = FaultProxy.start(upstream.url()); TestRegistry hoard = hoard(proxy, "1h")) {
            proxy.mode(FaultProxy.Mode.KILL_BLOB);
            assertThatThrownBy(() -> hoard.get("/v2/killed/blobs/" + d)).isInstanceOf(IOException.class);
            assertThat(stored(hoard, d)).isFalse();
            proxy.mode(FaultProxy.Mode.PASS);
            assertThat(hoard.get("/v2/killed/blobs/" + d).body()).isEqualTo(layer);
            // The commit to storage follows the verified stream to the client.
            for (int i = 0; i < 100 && !stored(hoard, d); i++) {
                Thread.sleep(50);
            }
            assertThat(stored(hoard, d)).isTrue();
        }
    }

    @Test
    void aConnectionBrokenOnceIsResumedWithRange() throws Exception {
        byte[] layer = randomBytes(4_000_000, 2);
        Digest d = seed.pushBlob("library/resumed", layer);
        try (FaultProxy proxy = FaultProxy.start(upstream.url()); TestRegistry hoard = hoard(proxy, "1h")) {
            proxy.mode(FaultProxy.Mode.KILL_BLOB_ONCE);
            assertThat(hoard.get("/v2/resumed/blobs/" + d).body()).isEqualTo(layer);
            assertThat(proxy.count("GET /v2/library/resumed/blobs/" + d)).isEqualTo(2);
        }
    }

    @Test
    void wrongBytesAreNeverCommittedNorServedWhole() throws Exception {
        byte[] layer = randomBytes(1_000_000, 3);
        Digest d = seed.pushBlob("library/corrupt", layer);
        try (FaultProxy proxy = FaultProxy.start(upstream.url()); TestRegistry hoard = hoard(proxy, "1h")) {
            proxy.mode(FaultProxy.Mode.CORRUPT_BLOB);
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> hoard.get("/v2/corrupt/blobs/" + d)).isInstanceOf(IOException.class);
                assertThat(stored(hoard, d)).isFalse();
            }
            assertThat(proxy.count("GET /v2/library/corrupt/blobs/" + d)).as("fetched again, not served from cache")
                    .isEqualTo(2);
            proxy.mode(FaultProxy.Mode.PASS);
            assertThat(hoard.get("/v2/corrupt/blobs/" + d).body()).isEqualTo(layer);
        }
    }

    @Test
    void upstreamDownAfterCaching() throws Exception {
        byte[] layer = randomBytes(200_000, 4);
        byte[] manifest = seed.pushImage("library/down", "v1", layer);
        Digest md = Digest.sha256(manifest);
        FaultProxy proxy = FaultProxy.start(upstream.url());
        try (TestRegistry hoard = hoard(proxy, "1s")) {
            assertThat(hoard.get("/v2/down/manifests/v1").body()).isEqualTo(manifest);
            assertThat(hoard.get("/v2/down/blobs/" + Digest.sha256(layer)).body()).isEqualTo(layer);
            proxy.close(); // the upstream is gone: connections are refused
            assertThat(hoard.get("/v2/down/manifests/" + md).body()).isEqualTo(manifest);
            assertThat(hoard.get("/v2/down/blobs/" + Digest.sha256(layer)).body()).isEqualTo(layer);
            hoard.clock.advance(Duration.ofMillis(1100)); // the tag's TTL runs out
            HttpResponse<byte[]> stale = hoard.get("/v2/down/manifests/v1");
            assertThat(stale.statusCode()).isEqualTo(200);
            assertThat(stale.body()).isEqualTo(manifest);
            assertThat(hoard.app.proxyMetrics().orElseThrow().staleServes()).isPositive();
            HttpResponse<byte[]> never = hoard.get("/v2/down/manifests/never-cached");
            assertError(never, 503, "UNAVAILABLE");
            assertThat(new String(never.body())).contains(proxy.url());
            assertError(hoard.get("/v2/down/blobs/" + Digest.sha256("never".getBytes())), 503, "UNAVAILABLE");
        }
    }

    @Test
    void hungUpstreamServesStaleTagsWithinTheTimeoutAndTheBreakerStopsWaiting() throws Exception {
        byte[][] manifests = new byte[6][];
        for (int i = 0; i < manifests.length; i++) {
            manifests[i] = seed.pushImage("library/hung", "t" + i, randomBytes(100, 10 + i));
        }
        try (FaultProxy proxy = FaultProxy.start(upstream.url()); TestRegistry hoard = hoard(proxy, "1s")) {
            for (int i = 0; i < manifests.length; i++) {
                assertThat(hoard.get("/v2/hung/manifests/t" + i).statusCode()).isEqualTo(200);
            }
            proxy.mode(FaultProxy.Mode.HANG);
            hoard.clock.advance(Duration.ofMillis(1100));
            long slowest = 0;
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                HttpResponse<byte[]> r = hoard.get("/v2/hung/manifests/t" + i);
                slowest = Math.max(slowest, (System.nanoTime() - start) / 1_000_000);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo(manifests[i]);
            }
            assertThat(slowest).as("ms for a stale answer with a hung upstream (timeout 1s)").isLessThan(4000);
            long start = System.nanoTime();
            assertThat(hoard.get("/v2/hung/manifests/t5").body()).isEqualTo(manifests[5]);
            assertThat((System.nanoTime() - start) / 1_000_000).as("ms once the circuit breaker is open").isLessThan(500);
        }
    }

    @Test
    void rateLimitedUpstream() throws Exception {
        byte[] manifest = seed.pushImage("library/limited", "v1", randomBytes(100, 20));
        try (FaultProxy proxy = FaultProxy.start(upstream.url()); TestRegistry hoard = hoard(proxy, "1s")) {
            assertThat(hoard.get("/v2/limited/manifests/v1").statusCode()).isEqualTo(200);
            proxy.mode(FaultProxy.Mode.TOO_MANY_REQUESTS);
            hoard.clock.advance(Duration.ofMillis(1100));
            assertThat(hoard.get("/v2/limited/manifests/v1").body()).isEqualTo(manifest);
            assertError(hoard.get("/v2/limited/manifests/other"), 429, "TOOMANYREQUESTS");
        }
    }

    @Test
    void failingUpstreamServesStaleToo() throws Exception {
        byte[] manifest = seed.pushImage("library/failing", "v1", randomBytes(100, 21));
        try (FaultProxy proxy = FaultProxy.start(upstream.url()); TestRegistry hoard = hoard(proxy, "1s")) {
            assertThat(hoard.get("/v2/failing/manifests/v1").statusCode()).isEqualTo(200);
            proxy.mode(FaultProxy.Mode.SERVER_ERROR);
            hoard.clock.advance(Duration.ofMillis(1100));
            assertThat(hoard.get("/v2/failing/manifests/v1").body()).isEqualTo(manifest);
        }
    }

    @Test
    void slowUpstreamStreamsFirstBytesBeforeTheDownloadEnds() throws Exception {
        byte[] layer = randomBytes(6_000_000, 22);
        Digest d = seed.pushBlob("library/slow", layer);
        try (FaultProxy proxy = FaultProxy.start(upstream.url()); TestRegistry hoard = hoard(proxy, "1h")) {
            proxy.mode(FaultProxy.Mode.SLOW_BLOB);
            long start = System.nanoTime();
            HttpResponse<InputStream> r = hoard.http.send(hoard.request("/v2/slow/blobs/" + d).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                assertThat(in.read()).isEqualTo(layer[0] & 0xff);
                long firstByte = (System.nanoTime() - start) / 1_000_000;
                byte[] rest = in.readAllBytes();
                long all = (System.nanoTime() - start) / 1_000_000;
                assertThat(rest.length).isEqualTo(layer.length - 1);
                assertThat(firstByte).as("ms to first byte, of %d ms in all", all).isLessThan(all / 3);
            }
        }
    }
}
