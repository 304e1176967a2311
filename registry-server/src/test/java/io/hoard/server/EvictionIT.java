package io.hoard.server;

import static io.hoard.server.it.V2Pusher.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoard.model.Digest;
import io.hoard.server.it.Distribution;
import io.hoard.server.it.FaultProxy;
import io.hoard.server.it.V2Pusher;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eviction and the online garbage collection against a real distribution upstream: the least
 * recently pulled cached images go first, blobs another image still uses stay, pinned and pushed
 * content is never touched, what was pulled a moment ago survives, and what was evicted is simply
 * fetched again.
 */
@Timeout(300)
final class EvictionIT {
    @TempDir
    Path work;

    private Distribution upstream;
    private FaultProxy counting;
    private TestRegistry hoard;

    @BeforeEach
    void start() throws Exception {
        upstream = Distribution.start(work.resolve("upstream"));
        counting = FaultProxy.start(upstream.url());
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {hoard, counting, upstream}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private void startHoard(String maxSize) throws Exception {
        hoard = TestRegistry.filesystem(work.resolve("hoard"), """
                proxy:
                  remoteregistries:
                  - url: %s
                  localnamespaces: [mine]
                  pins: [team/pinned:1]
                  eviction:
                    maxsize: %s
                    interval: 1h
                """.formatted(counting.url(), maxSize));
    }

    @Test
    void leastRecentlyPulledGoFirstAndOnlyUntilWithinBudget() throws Exception {
        byte[] shared = randomBytes(100_000, 9);
        byte[] a = randomBytes(300_000, 1);
        byte[] b = randomBytes(300_000, 2);
        byte[] c = randomBytes(300_000, 3);
        byte[] p = randomBytes(300_000, 4);
        V2Pusher up = new V2Pusher(upstream.url());
        byte[] pinnedManifest = up.pushImage("team/pinned", "1", p);
        byte[] aManifest = up.pushImage("team/a", "1", a);
        up.pushImage("team/b", "1", b, shared);
        byte[] cManifest = up.pushImage("team/c", "1", c, shared);
        startHoard("500KiB");

        hoard.clock.advance(Duration.ofHours(1));
        for (String image : List.of("team/pinned", "team/a", "team/b", "team/c")) {
            pull(image, "1");
            Thread.sleep(20);
        }
        byte[] mine = randomBytes(300_000, 5);
        byte[] mineManifest = hoard.pushImage("mine/app", "1", mine);
        hoard.clock.advance(Duration.ofHours(1));

        JsonNode report = evict();
        assertThat(report.path("manifestsDeleted").toString()).contains("team/a@").contains("team/b@")
                .doesNotContain("team/c@").doesNotContain("team/pinned@").doesNotContain("mine/");
        assertThat(report.path("withinLimits").asBoolean()).isTrue();
        assertThat(report.path("cachedBytesAfter").asLong()).isLessThanOrEqualTo(500 * 1024);
        assertThat(blobFile(a)).doesNotExist();
        assertThat(blobFile(b)).doesNotExist();
        assertThat(blobFile(shared)).as("still used by team/c").exists();

        counting.resetCounts();
        assertThat(pull("team/c", "1")).isEqualTo(cManifest);
        assertThat(pull("team/pinned", "1")).isEqualTo(pinnedManifest);
        assertThat(pull("mine/app", "1")).isEqualTo(mineManifest);
        assertThat(counting.count("")).as("requests that reached the upstream").isZero();
        // What was evicted is fetched again, whole.
        assertThat(pull("team/a", "1")).isEqualTo(aManifest);
        assertThat(counting.count("GET /v2/team/a/blobs/" + Digest.sha256(a))).isEqualTo(1);
    }

    @Test
    void whatWasJustPulledSurvivesAndTheCollectionRemovesOnlyUnreferencedBlobs() throws Exception {
        byte[] a = randomBytes(300_000, 11);
        byte[] loose = randomBytes(200_000, 12);
        V2Pusher up = new V2Pusher(upstream.url());
        up.pushImage("team/a", "1", a);
        Digest looseDigest = up.pushBlob("team/loose", loose);
        startHoard("1KiB");
        pull("team/a", "1");
        // A blob pulled on its own: cached, but no manifest references it.
        assertThat(hoard.get("/v2/team/loose/blobs/" + looseDigest).statusCode()).isEqualTo(200);
        awaitFile(blobFile(loose));

        // Everything is over budget, but team/a was pulled a moment ago: a pull may still be running.
        JsonNode report = evict();
        assertThat(report.path("manifestsDeleted")).isEmpty();
        assertThat(report.path("withinLimits").asBoolean()).isFalse();
        assertThat(blobFile(a)).exists();

        hoard.clock.advance(Duration.ofHours(1));
        JsonNode dry = TestRegistry.json(hoard.send(hoard.request("/hoard/api/v1/maintenance/gc?dryrun=true")
                .POST(HttpRequest.BodyPublishers.noBody())));
        assertThat(dry.path("blobsDeleted").toString()).contains(looseDigest.toString())
                .doesNotContain(Digest.sha256(a).toString());
        assertThat(blobFile(loose)).as("a dry run deletes nothing").exists();
        JsonNode gc = TestRegistry.json(hoard.send(hoard.request("/hoard/api/v1/maintenance/gc")
                .POST(HttpRequest.BodyPublishers.noBody())));
        assertThat(gc.path("blobsDeleted")).isEqualTo(dry.path("blobsDeleted"));
        assertThat(blobFile(loose)).doesNotExist();
        assertThat(blobFile(a)).exists();
        assertThat(pull("team/a", "1")).isNotEmpty();
        // The loose blob is fetched again when asked for.
        assertThat(Digest.sha256(hoard.get("/v2/team/loose/blobs/" + looseDigest).body())).isEqualTo(looseDigest);
    }

    private JsonNode evict() throws Exception {
        HttpResponse<byte[]> r = hoard.send(hoard.request("/hoard/api/v1/maintenance/eviction")
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        return TestRegistry.json(r);
    }

    /** Pulls a whole image (manifest and every blob, each checked) and returns the manifest. */
    private byte[] pull(String repo, String tag) throws Exception {
        HttpResponse<byte[]> m = hoard.get("/v2/" + repo + "/manifests/" + tag, "Accept", TestRegistry.OCI_MANIFEST);
        assertThat(m.statusCode()).as(repo).isEqualTo(200);
        JsonNode manifest = TestRegistry.json(m);
        List<JsonNode> blobs = new java.util.ArrayList<>();
        blobs.add(manifest.path("config"));
        manifest.path("layers").forEach(blobs::add);
        for (JsonNode blob : blobs) {
            Digest d = Digest.parse(blob.path("digest").asText());
            HttpResponse<byte[]> r = hoard.get("/v2/" + repo + "/blobs/" + d);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(Digest.sha256(r.body())).isEqualTo(d);
        }
        return m.body();
    }

    private Path blobFile(byte[] content) {
        String hex = Digest.sha256(content).hex();
        return work.resolve("hoard/docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }
}
