package io.hoard.server;

import static io.hoard.server.TestRegistry.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.model.Digest;
import io.hoard.server.it.CountingS3;
import io.hoard.server.it.RedisServer;
import io.hoard.testing.S3ProxyServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a pull costs in a cluster, counted: S3 calls (by operation, through an SDK interceptor) and
 * Redis commands, for a cold blob, the first hit on another instance, and a hit from memory. These
 * are the per-request costs docs/scaling.md builds on; the test holds the warm paths to them.
 */
final class ClusterCostsTest {
    @TempDir
    Path dir;

    private record Cost(Map<String, Integer> s3, long redis) {
        int s3Calls() {
            return s3.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private Cost measure(RedisServer redis, long before) throws Exception {
        long after = redis.commandsProcessed();
        return new Cost(CountingS3.takeSnapshot(), after - before - 1); // minus the INFO that asked
    }

    @Test
    void aWarmHitCostsOneS3ReadAndAtMostThreeRedisCommands() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start(Files.createDirectories(dir.resolve("s3")), false);
                RedisServer redis = RedisServer.start(Files.createDirectories(dir.resolve("redis")));
                TestRegistry upstream = TestRegistry.inMemory("")) {
            s3.createBucket("costs");
            String yaml = "storage:\n" + TestRegistry.s3Section(s3, "costs") + "  redirect:\n    disable: true\n"
                    + "  cache:\n    blobdescriptor: redis\nredis:\n  addr: " + redis.addr() + "\n"
                    + "proxy:\n  remoteurl: " + upstream.base + "\n"
                    // The storage probe writes in the background: measured here are the requests' own calls.
                    + "health:\n  storagedriver:\n    interval: 1h\n";
            byte[] layer = randomBytes(1024 * 1024, 41);
            Digest digest = upstream.pushBlob("library/app", layer);
            try (TestRegistry a = TestRegistry.withHttp("  secret: s\n", yaml);
                    TestRegistry b = TestRegistry.withHttp("  secret: s\n", yaml)) {
                String path = "/v2/library/app/blobs/" + digest;
                CountingS3.takeSnapshot();
                long before = redis.commandsProcessed();
                assertThat(a.get(path).statusCode()).isEqualTo(200);
                String key = "registry/docker/registry/v2/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex()
                        + "/data";
                for (int i = 0; i < 200 && !s3.blobStore().blobExists("costs", key); i++) {
                    Thread.sleep(10);
                }
                Thread.sleep(200); // the link and the origin marker follow the data
                Cost cold = measure(redis, before);

                before = redis.commandsProcessed();
                HttpResponse<byte[]> first = b.get(path);
                Cost firstOnB = measure(redis, before);
                assertThat(Digest.sha256(first.body())).isEqualTo(digest);

                before = redis.commandsProcessed();
                b.get(path);
                Cost warm = measure(redis, before);

                System.out.printf("COST cold fill (1 MiB, A): S3 %s, Redis %d%n", cold.s3(), cold.redis());
                System.out.printf("COST first hit on B: S3 %s, Redis %d%n", firstOnB.s3(), firstOnB.redis());
                System.out.printf("COST warm hit on B: S3 %s, Redis %d%n", warm.s3(), warm.redis());
                byte[] manifest = upstream.pushImage("library/img", "1", randomBytes(1000, 42));
                String byDigest = "/v2/library/img/manifests/" + Digest.sha256(manifest);
                assertThat(a.get(byDigest, "Accept", TestRegistry.OCI_MANIFEST).statusCode()).isEqualTo(200);
                CountingS3.takeSnapshot();
                before = redis.commandsProcessed();
                HttpResponse<byte[]> m = b.get(byDigest, "Accept", TestRegistry.OCI_MANIFEST);
                Cost manifestOnB = measure(redis, before);
                assertThat(m.body()).isEqualTo(manifest);
                System.out.printf("COST manifest by digest, first hit on B: S3 %s, Redis %d%n", manifestOnB.s3(),
                        manifestOnB.redis());
                assertThat(manifestOnB.s3Calls()).isZero();
                // What another instance learned is one Redis round trip away, not a storage lookup.
                assertThat(firstOnB.s3()).isEqualTo(Map.of("GetObject", 1));
                assertThat(firstOnB.redis()).isLessThanOrEqualTo(3); // origin, link, size
                assertThat(warm.s3()).isEqualTo(Map.of("GetObject", 1));
                assertThat(warm.redis()).isZero();
            }
        }
    }
}
