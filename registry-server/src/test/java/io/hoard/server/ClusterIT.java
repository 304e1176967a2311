package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.model.Digest;
import io.hoard.server.it.Distribution;
import io.hoard.server.it.FaultProxy;
import io.hoard.server.it.RedisServer;
import io.hoard.server.it.V2Pusher;
import io.hoard.testing.S3ProxyServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster as it is deployed: three Hoard processes (the built jar) on one S3Proxy bucket and one
 * redis-server, caching a real distribution behind a counting relay. 24 concurrent cold pulls of a
 * 100 MiB blob spread over the three fetch it from the upstream once; an instance killed with
 * SIGKILL in the middle of a fill leaves the others to finish it, and nothing corrupt is stored;
 * with Redis stopped, pulls keep working.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
final class ClusterIT {
    @TempDir
    static Path work;

    private S3ProxyServer s3;
    private RedisServer redis;
    private Distribution upstream;
    private FaultProxy relay;
    private final List<Process> instances = new ArrayList<>();
    private final List<String> urls = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start() throws Exception {
        s3 = S3ProxyServer.start(Files.createDirectories(work.resolve("s3")), false);
        s3.createBucket("cluster");
        redis = RedisServer.start(Files.createDirectories(work.resolve("redis")));
        upstream = Distribution.start(work.resolve("upstream"));
        relay = FaultProxy.start(upstream.url());
        for (int i = 0; i < 3; i++) {
            startInstance(i);
        }
    }

    @AfterAll
    void stop() throws Exception {
        instances.forEach(Process::destroyForcibly);
        relay.close();
        upstream.close();
        redis.close();
        s3.close();
    }

    private void startInstance(int i) throws Exception {
        int port = Distribution.freePort();
        Path config = work.resolve("hoard-" + i + ".yml");
        Files.writeString(config, """
                version: 0.1
                log: {level: info, accesslog: {disabled: true}}
                http: {addr: 127.0.0.1:%d, secret: the-one-cluster-secret}
                storage:
                  redirect: {disable: true}
                  cache: {blobdescriptor: redis}
                  s3:
                    accesskey: %s
                    secretkey: %s
                    region: us-east-1
                    regionendpoint: %s
                    bucket: cluster
                    rootdirectory: /registry
                redis: {addr: '%s', dialtimeout: 500ms, readtimeout: 500ms}
                proxy:
                  remoteregistries:
                  - url: %s
                """.formatted(port, S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY, s3.endpoint(), redis.addr(),
                relay.url()));
        Path repo = Path.of(System.getProperty("hoard.repo.root", "..")).toAbsolutePath().normalize();
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-jar", repo.resolve("registry-server/target/hoard.jar").toString(), "serve", config.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("hoard-" + i + ".log").toFile());
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        Process p = builder.start();
        String url = "http://127.0.0.1:" + port;
        for (int t = 0; t < 300; t++) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    instances.add(p);
                    urls.add(url);
                    return;
                }
            } catch (java.io.IOException notYet) {
                Thread.sleep(100);
            }
        }
        p.destroyForcibly();
        throw new AssertionError("instance " + i + " not serving:\n" + Files.readString(work.resolve("hoard-" + i + ".log")));
    }

    /** GETs a blob and returns its status and the sha256 of what arrived (streamed, not held in memory). */
    private String pull(String url, String repo, Digest digest) throws Exception {
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v2/" + repo + "/blobs/" + digest))
                .timeout(Duration.ofMinutes(3)).build(), HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = r.body()) {
            byte[] buf = new byte[256 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                sha.update(buf, 0, n);
            }
        } catch (java.io.IOException cut) {
            return r.statusCode() + " cut off";
        }
        return r.statusCode() + " sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    @Test
    void twentyFourColdPullsOfOneBlobOverThreeInstancesFetchItOnce() throws Exception {
        byte[] layer = V2Pusher.randomBytes(100 * 1024 * 1024, 31);
        Digest digest = new V2Pusher(upstream.url()).pushBlob("library/huge", layer);
        layer = null; // 100 MiB less to hold while 24 clients stream
        relay.resetCounts();
        List<Future<String>> pulls = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 24; i++) {
                String url = urls.get(i % 3);
                pulls.add(clients.submit(() -> pull(url, "library/huge", digest)));
            }
            for (Future<String> f : pulls) {
                assertThat(f.get()).isEqualTo("200 " + digest);
            }
        }
        assertThat(relay.count("GET /v2/library/huge/blobs/")).as("upstream blob GETs").isEqualTo(1);
        assertThat(relay.blobBytes()).isEqualTo(100L * 1024 * 1024);
        assertThat(layer).isNull();
    }

    @Test
    void anInstanceKilledMidFillLeavesTheOthersToFinishIt() throws Exception {
        byte[] layer = V2Pusher.randomBytes(12 * 1024 * 1024, 32);
        Digest digest = new V2Pusher(upstream.url()).pushBlob("library/victim", layer);
        relay.resetCounts();
        relay.mode(FaultProxy.Mode.SLOW_BLOB); // about 5 s for the whole blob
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> onVictim = clients.submit(() -> pull(urls.get(0), "library/victim", digest));
            for (int i = 0; i < 200 && relay.blobBytes() < 1024 * 1024; i++) {
                Thread.sleep(20); // the victim holds the lease and is fetching
            }
            Future<String> onOther = clients.submit(() -> pull(urls.get(1), "library/victim", digest));
            Thread.sleep(500); // the other instance streams from the victim
            instances.get(0).destroyForcibly(); // SIGKILL: no goodbye, its lease stays until it expires
            instances.get(0).waitFor();
            assertThat(onVictim.get()).isNotEqualTo("200 " + digest); // its own client was cut off
            assertThat(onOther.get()).isEqualTo("200 " + digest);
        } finally {
            relay.mode(FaultProxy.Mode.PASS);
        }
        assertThat(pull(urls.get(2), "library/victim", digest)).isEqualTo("200 " + digest);
        relay.mode(FaultProxy.Mode.SERVER_ERROR); // stored for good: no upstream needed any more
        try {
            assertThat(pull(urls.get(2), "library/victim", digest)).isEqualTo("200 " + digest);
        } finally {
            relay.mode(FaultProxy.Mode.PASS);
            instances.set(0, instances.get(0)); // (dead; the next test starts a replacement)
            urls.set(0, urls.get(1));
        }
    }

    @Test
    void pullsKeepWorkingWithRedisStopped() throws Exception {
        byte[] layer = V2Pusher.randomBytes(3 * 1024 * 1024, 33);
        Digest digest = new V2Pusher(upstream.url()).pushBlob("library/noredis", layer);
        redis.stop();
        try {
            for (String url : urls) {
                assertThat(pull(url, "library/noredis", digest)).isEqualTo("200 " + digest);
            }
        } finally {
            redis.start();
        }
    }
}
