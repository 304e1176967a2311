package io.hoard.server;

import static io.hoard.server.TestRegistry.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.cluster.PeerSignature;
import io.hoard.model.Digest;
import io.hoard.server.it.FaultProxy;
import io.hoard.server.it.RedisServer;
import io.hoard.testing.S3ProxyServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three instances on one bucket and one Redis, caching one upstream (counted by a relay): a blob is
 * fetched from the upstream once for the cluster, any instance serves any request, and the cluster
 * keeps working when Redis or an instance goes away.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class ClusterTest {
    @TempDir
    static Path dir;
    S3ProxyServer s3;
    RedisServer redis;
    TestRegistry upstream;
    FaultProxy relay;
    List<TestRegistry> instances = new ArrayList<>();
    int bucket;

    @BeforeAll
    void startPeers() throws Exception {
        s3 = S3ProxyServer.start(dir.resolve("s3"), false);
        redis = RedisServer.start(java.nio.file.Files.createDirectories(dir.resolve("redis")));
        upstream = TestRegistry.inMemory("");
        relay = FaultProxy.start(upstream.base);
    }

    @AfterAll
    void stopPeers() throws Exception {
        relay.close();
        upstream.close();
        redis.close();
        s3.close();
    }

    @BeforeEach
    void startCluster() throws Exception {
        String name = "cluster-" + (++bucket);
        s3.createBucket(name);
        for (int i = 0; i < 3; i++) {
            instances.add(TestRegistry.withHttp("  secret: one-secret-for-the-cluster\n", "storage:\n"
                    + TestRegistry.s3Section(s3, name) + "  redirect:\n    disable: true\n  delete:\n    enabled: true\n"
                    + "  cache:\n    blobdescriptor: redis\n"
                    + "redis:\n  addr: " + redis.addr() + "\n  dialtimeout: 500ms\n  readtimeout: 500ms\n"
                    + "proxy:\n  remoteurl: " + relay.url() + "\n"));
        }
        relay.resetCounts();
        relay.mode(FaultProxy.Mode.PASS);
    }

    @AfterEach
    void stopCluster() {
        instances.forEach(TestRegistry::close);
        instances.clear();
    }

    @Test
    void concurrentColdPullsOverThreeInstancesFetchTheBlobOnce() throws Exception {
        byte[] layer = randomBytes(6 * 1024 * 1024, 21);
        Digest digest = upstream.pushBlob("library/big", layer);
        relay.resetCounts();
        relay.mode(FaultProxy.Mode.SLOW_BLOB); // the fill takes a few seconds: every pull overlaps it
        List<Future<HttpResponse<byte[]>>> pulls = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 12; i++) {
                TestRegistry instance = instances.get(i % 3);
                pulls.add(clients.submit(() -> instance.get("/v2/library/big/blobs/" + digest)));
            }
            for (Future<HttpResponse<byte[]>> pull : pulls) {
                HttpResponse<byte[]> r = pull.get();
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(Digest.sha256(r.body())).isEqualTo(digest);
            }
        }
        assertThat(relay.count("GET /v2/library/big/blobs/")).as("upstream blob GETs").isEqualTo(1);
        assertThat(relay.blobBytes()).isEqualTo(layer.length);
        // Stored once for all: every instance now serves it from the bucket (once the commit that
        // follows the last response is done).
        String key = "registry/docker/registry/v2/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex() + "/data";
        for (int i = 0; i < 500 && !s3.blobStore().blobExists("cluster-" + bucket, key); i++) {
            Thread.sleep(10);
        }
        relay.mode(FaultProxy.Mode.SERVER_ERROR);
        for (TestRegistry instance : instances) {
            HttpResponse<byte[]> r = instance.get("/v2/library/big/blobs/" + digest);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(Digest.sha256(r.body())).isEqualTo(digest);
        }
    }

    @Test
    void thePeerRouteAnswersOnlySignedRequests() throws Exception {
        TestRegistry a = instances.get(0);
        Digest digest = Digest.sha256(new byte[] {1});
        String path = "/_hoard/peer/blobs/" + digest + "?offset=0";
        TestRegistry.assertError(a.get(path), 403, "DENIED");
        String forged = new PeerSignature("not-the-secret", java.time.Clock.systemUTC()).sign("GET", path);
        TestRegistry.assertError(a.get(path, PeerSignature.HEADER, forged), 403, "DENIED");
        String stale = new PeerSignature("one-secret-for-the-cluster",
                java.time.Clock.offset(java.time.Clock.systemUTC(), java.time.Duration.ofMinutes(-5))).sign("GET", path);
        TestRegistry.assertError(a.get(path, PeerSignature.HEADER, stale), 403, "DENIED");
        String good = new PeerSignature("one-secret-for-the-cluster", java.time.Clock.systemUTC()).sign("GET", path);
        TestRegistry.assertError(a.get(path, PeerSignature.HEADER, good), 404, "BLOB_UNKNOWN"); // signed, but no such fill
    }

    @Test
    void aChunkedUploadSplitAcrossInstancesCompletes() throws Exception {
        byte[] blob = randomBytes(7 * 1024 * 1024 + 3, 22);
        Digest digest = Digest.sha256(blob);
        TestRegistry a = instances.get(0);
        TestRegistry b = instances.get(1);
        TestRegistry c = instances.get(2);
        // A cluster caching one upstream is read-only for clients; the push goes to a name of its own.
        String location = a.startUpload("pushed/app");
        int cut = 3 * 1024 * 1024;
        HttpResponse<byte[]> first = a.send(a.request(location).header("Content-Type", "application/octet-stream")
                .header("Content-Range", "0-" + (cut - 1))
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(java.util.Arrays.copyOf(blob, cut))));
        assertThat(first.statusCode()).as(new String(first.body())).isEqualTo(202);
        String next = first.headers().firstValue("Location").orElseThrow();
        HttpResponse<byte[]> second = b.send(b.request(path(next)).header("Content-Type", "application/octet-stream")
                .header("Content-Range", cut + "-" + (blob.length - 1))
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(java.util.Arrays.copyOfRange(blob, cut, blob.length))));
        assertThat(second.statusCode()).as(new String(second.body())).isEqualTo(202);
        String last = second.headers().firstValue("Location").orElseThrow();
        HttpResponse<byte[]> put = c.send(c.request(TestRegistry.withQuery(path(last), "digest=" + digest))
                .PUT(HttpRequest.BodyPublishers.noBody()));
        assertThat(put.statusCode()).as(new String(put.body())).isEqualTo(201);
        for (TestRegistry instance : instances) {
            HttpResponse<byte[]> r = instance.get("/v2/pushed/app/blobs/" + digest);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(blob);
        }
    }

    @Test
    void pullsKeepWorkingWhileRedisIsDownAndTheDegradationIsLoggedOnce() throws Exception {
        byte[] layer = randomBytes(300_000, 23);
        Digest digest = upstream.pushBlob("library/small", layer);
        Digest other = upstream.pushBlob("library/small", randomBytes(200_000, 26));
        redis.stop();
        try (io.hoard.server.it.LogCapture logs = new io.hoard.server.it.LogCapture()) {
            for (Digest d : List.of(digest, other)) {
                for (TestRegistry instance : instances) {
                    HttpResponse<byte[]> r = instance.get("/v2/library/small/blobs/" + d);
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(Digest.sha256(r.body())).isEqualTo(d);
                }
            }
            long warnings = logs.text().lines().filter(l -> l.contains("is unavailable")).count();
            assertThat(warnings).as("one warning per instance, not one per request").isEqualTo(instances.size());
            redis.start();
            Thread.sleep(io.hoard.cluster.RedisCoordinator.RETRY_AFTER.toMillis() + 200); // the back-off after the failure
            Digest third = upstream.pushBlob("library/small", randomBytes(100_000, 27));
            assertThat(instances.get(0).get("/v2/library/small/blobs/" + third).statusCode()).isEqualTo(200);
            assertThat(logs.text()).contains("answers again");
        } finally {
            try {
                redis.command("PING");
            } catch (java.io.IOException stillDown) {
                redis.start();
            }
        }
    }

    @Test
    void backgroundWorkTakesTurnsAcrossTheCluster() throws Exception {
        try (io.hoard.cluster.RedisCoordinator one = new io.hoard.cluster.RedisCoordinator(redisConfig());
                io.hoard.cluster.RedisCoordinator other = new io.hoard.cluster.RedisCoordinator(redisConfig())) {
            io.hoard.cluster.RedisTurns a = new io.hoard.cluster.RedisTurns(one);
            io.hoard.cluster.RedisTurns b = new io.hoard.cluster.RedisTurns(other);
            boolean[] inner = new boolean[1];
            assertThat(a.runIfFree("test", java.time.Duration.ofMinutes(1),
                    () -> inner[0] = b.runIfFree("test", java.time.Duration.ofMinutes(1), () -> { }))).isTrue();
            assertThat(inner[0]).as("another instance's turn while the first runs").isFalse();
            assertThat(b.runIfFree("test", java.time.Duration.ofMinutes(1), () -> { })).as("released").isTrue();
        }
    }

    private io.hoard.config.RedisConfig redisConfig() {
        return io.hoard.config.ConfigLoader.parse("http:\n  secret: s\nredis:\n  addr: " + redis.addr() + "\n",
                java.util.Map.of(), "test").redis().orElseThrow();
    }

    @Test
    void evictionOnOneInstanceSparesWhatAnotherIsPullingAndTheOtherRefillsAfter() throws Exception {
        String name = "evict-" + (++bucket);
        s3.createBucket(name);
        byte[] layer = randomBytes(200_000, 31);
        byte[] manifest = upstream.pushImage("library/evicted", "1", layer);
        List<TestRegistry> pair = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                pair.add(TestRegistry.withHttp("  secret: one-secret-for-the-cluster\n", "storage:\n"
                        + TestRegistry.s3Section(s3, name) + "  redirect:\n    disable: true\n"
                        + "  cache:\n    blobdescriptor: redis\n"
                        + "redis:\n  addr: " + redis.addr() + "\n"
                        + "proxy:\n  remoteurl: " + relay.url() + "\n  eviction:\n    maxsize: 1KiB\n    interval: 1h\n"));
            }
            TestRegistry a = pair.get(0);
            TestRegistry b = pair.get(1);
            Digest layerDigest = Digest.sha256(layer);
            assertThat(b.get("/v2/library/evicted/manifests/1", "Accept", TestRegistry.OCI_MANIFEST).body()).isEqualTo(manifest);
            assertThat(Digest.sha256(b.get("/v2/library/evicted/blobs/" + layerDigest).body())).isEqualTo(layerDigest);
            a.clock.advance(java.time.Duration.ofSeconds(1)); // b pulled a moment ago, by a's clock too
            // The pull is shared through Redis, not written into the bucket.
            String member = "library/evicted@" + Digest.sha256(manifest);
            for (int i = 0; i < 100 && redis.command("ZSCORE", "hoard:pulls", member).equals("$-1"); i++) {
                Thread.sleep(20);
            }
            assertThat(redis.command("ZSCORE", "hoard:pulls", member)).isNotEqualTo("$-1");
            assertThat(s3.blobStore().blobExists(name, "registry/docker/registry/v2/repositories/library/evicted/_hoard/access/"
                    + "sha256/" + Digest.sha256(manifest).hex())).isFalse();

            HttpResponse<byte[]> spared = a.send(a.request("/hoard/api/v1/maintenance/eviction")
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody()));
            assertThat(spared.statusCode()).isEqualTo(200);
            assertThat(TestRegistry.json(spared).path("manifestsDeleted")).as("b's pull is seen through the store").isEmpty();

            a.clock.advance(java.time.Duration.ofHours(1));
            HttpResponse<byte[]> evicted = a.send(a.request("/hoard/api/v1/maintenance/eviction")
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody()));
            assertThat(TestRegistry.json(evicted).path("manifestsDeleted").toString()).contains("library/evicted@");
            assertThat(redis.command("ZSCORE", "hoard:pulls", member)).as("forgotten with the manifest").isEqualTo("$-1");
            relay.resetCounts();
            assertThat(b.get("/v2/library/evicted/manifests/1", "Accept", TestRegistry.OCI_MANIFEST).body()).isEqualTo(manifest);
            assertThat(Digest.sha256(b.get("/v2/library/evicted/blobs/" + layerDigest).body())).isEqualTo(layerDigest);
            assertThat(relay.count("GET /v2/library/evicted/blobs/" + layerDigest)).as("b fetched it again").isEqualTo(1);
        } finally {
            pair.forEach(TestRegistry::close);
        }
    }

    @Test
    void aDeleteOnOneInstanceIsSeenByTheOthersEvenWithoutSharedDescriptors() throws Exception {
        String name = "deletes-" + (++bucket);
        s3.createBucket(name);
        List<TestRegistry> pair = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) { // redis, but blob descriptors kept in each instance's memory only
                pair.add(TestRegistry.withHttp("  secret: one-secret-for-the-cluster\n", "storage:\n"
                        + TestRegistry.s3Section(s3, name) + "  redirect:\n    disable: true\n  delete:\n    enabled: true\n"
                        + "redis:\n  addr: " + redis.addr() + "\n"));
            }
            TestRegistry a = pair.get(0);
            TestRegistry b = pair.get(1);
            byte[] manifest = a.pushImage("team/app", "1", randomBytes(10_000, 29));
            String byDigest = "/v2/team/app/manifests/" + Digest.sha256(manifest);
            assertThat(b.get(byDigest, "Accept", TestRegistry.OCI_MANIFEST).statusCode()).isEqualTo(200); // b remembers it
            assertThat(a.delete(byDigest).statusCode()).isEqualTo(202);
            int status = 0;
            for (int i = 0; i < 50; i++) {
                status = b.get(byDigest, "Accept", TestRegistry.OCI_MANIFEST).statusCode();
                if (status == 404) {
                    break;
                }
                Thread.sleep(20);
            }
            assertThat(status).as("b no longer serves the manifest a deleted").isEqualTo(404);
        } finally {
            pair.forEach(TestRegistry::close);
        }
    }

    @Test
    void withoutRedisInstancesOnOneBucketAreStillCorrect() throws Exception {
        String name = "no-redis-" + (++bucket);
        s3.createBucket(name);
        List<TestRegistry> alone = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                alone.add(TestRegistry.withHttp("  secret: one-secret-for-the-cluster\n", "storage:\n"
                        + TestRegistry.s3Section(s3, name) + "  redirect:\n    disable: true\n"
                        + "proxy:\n  remoteurl: " + relay.url() + "\n"));
            }
            byte[] layer = randomBytes(3 * 1024 * 1024, 28);
            Digest digest = upstream.pushBlob("library/alone", layer);
            relay.resetCounts();
            List<Future<HttpResponse<byte[]>>> pulls = new ArrayList<>();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 6; i++) {
                    TestRegistry instance = alone.get(i % 2);
                    pulls.add(clients.submit(() -> instance.get("/v2/library/alone/blobs/" + digest)));
                }
                for (Future<HttpResponse<byte[]>> pull : pulls) {
                    assertThat(Digest.sha256(pull.get().body())).isEqualTo(digest);
                }
            }
            // Each instance fetched at most once; both committed the same bytes to the same key.
            assertThat(relay.count("GET /v2/library/alone/blobs/")).isBetween(1, 2);
            relay.mode(FaultProxy.Mode.SERVER_ERROR);
            for (TestRegistry instance : alone) {
                assertThat(Digest.sha256(instance.get("/v2/library/alone/blobs/" + digest).body())).isEqualTo(digest);
            }
        } finally {
            alone.forEach(TestRegistry::close);
        }
    }

    @Test
    void whenTheLeaseHolderIsGoneTheInstanceFetchesItself() throws Exception {
        byte[] layer = randomBytes(2 * 1024 * 1024, 24);
        Digest digest = upstream.pushBlob("library/orphan", layer);
        relay.resetCounts();
        // An instance that claimed the blob and died at once: its lease outlives it (up to the TTL).
        assertThat(redis.command("SET", "hoard:fill:" + digest, "ghost http://127.0.0.1:1", "PX", "15000")).isEqualTo("+OK");
        HttpResponse<byte[]> r = instances.get(0).get("/v2/library/orphan/blobs/" + digest);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Digest.sha256(r.body())).isEqualTo(digest);
        assertThat(relay.count("GET /v2/library/orphan/blobs/")).isEqualTo(1);
        // The response ends before the commit does: wait for the object, then take the upstream away.
        String key = "registry/docker/registry/v2/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex() + "/data";
        for (int i = 0; i < 500 && !s3.blobStore().blobExists("cluster-" + bucket, key); i++) {
            Thread.sleep(10);
        }
        relay.mode(FaultProxy.Mode.SERVER_ERROR);
        for (TestRegistry instance : instances) { // committed by the instance that fetched it
            HttpResponse<byte[]> again = instance.get("/v2/library/orphan/blobs/" + digest);
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(Digest.sha256(again.body())).isEqualTo(digest);
        }
    }

    @Test
    void descriptorsAreSharedAndRemovalsReachEveryInstance() throws Exception {
        TestRegistry a = instances.get(0);
        TestRegistry b = instances.get(1);
        Digest digest = a.pushBlob("shared/app", randomBytes(50_000, 25));
        assertThat(redis.command("GET", "hoard:size:" + digest)).isEqualTo("$5"); // "50000", a bulk string
        assertThat(redis.command("EXISTS", "hoard:link:blob:shared/app:" + digest)).isEqualTo(":1");
        assertThat(b.head("/v2/shared/app/blobs/" + digest).statusCode()).isEqualTo(200); // now in b's memory too
        assertThat(a.delete("/v2/shared/app/blobs/" + digest).statusCode()).isEqualTo(202);
        assertThat(redis.command("EXISTS", "hoard:link:blob:shared/app:" + digest)).isEqualTo(":0");
        int status = 0;
        for (int i = 0; i < 50; i++) { // the announcement arrives asynchronously
            status = b.head("/v2/shared/app/blobs/" + digest).statusCode();
            if (status == 404) {
                break;
            }
            Thread.sleep(20);
        }
        assertThat(status).as("b no longer serves a blob a deleted").isEqualTo(404);
    }

    private static String path(String location) {
        URI uri = URI.create(location);
        return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }
}
