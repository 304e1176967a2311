package io.hoard.server;

import static io.hoard.server.it.V2Pusher.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoard.model.Digest;
import io.hoard.server.it.Distribution;
import io.hoard.server.it.FaultProxy;
import io.hoard.server.it.LogCapture;
import io.hoard.server.it.TokenIssuer;
import io.hoard.server.it.V2Pusher;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Staging copies ({@code POST /hoard/api/v1/copies}) from real distribution upstreams: only the
 * missing blobs are fetched (counted at the upstream), the staged tag keeps its digests after the
 * upstream tag moves and after the upstream stops, and a short-lived token given with a copy is
 * used for it alone and written nowhere.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
final class StagingIT {
    @TempDir
    static Path work;

    private Distribution upstream;
    private FaultProxy counting;
    private TokenIssuer issuer;
    private Distribution tokenRegistry;
    private TestRegistry hoard;

    @BeforeAll
    void start() throws Exception {
        upstream = Distribution.start(work.resolve("upstream"));
        counting = FaultProxy.start(upstream.url());
        Path tokenDir = work.resolve("token");
        try (Distribution seeding = Distribution.start(tokenDir)) {
            new V2Pusher(seeding.url()).pushImage("team/private", "v3", randomBytes(60_000, 40), randomBytes(70_000, 41));
        }
        issuer = TokenIssuer.start(work.resolve("issuer"), Map.of("carol", "pw"));
        tokenRegistry = Distribution.withTokenAuth(tokenDir, issuer);
        hoard = TestRegistry.filesystem(work.resolve("hoard"), """
                proxy:
                  remoteregistries:
                  - url: %s
                  timeout: 5s
                  connecttimeout: 2s
                """.formatted(counting.url()));
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {hoard, tokenRegistry, issuer, counting, upstream}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void copyFetchesOnlyWhatIsMissingAndTheStagedTagOutlivesTheUpstream() throws Exception {
        byte[][] layers = {randomBytes(400_000, 1), randomBytes(300_000, 2), randomBytes(200_000, 3), randomBytes(100_000, 4)};
        byte[] manifest = new V2Pusher(upstream.url()).pushImage("team/app", "1.4", layers);
        Digest digest = Digest.sha256(manifest);
        // Half the layers are in the cache already (pulled through it).
        for (int i = 0; i < 2; i++) {
            assertThat(hoard.get("/v2/team/app/blobs/" + Digest.sha256(layers[i])).statusCode()).isEqualTo(200);
        }
        awaitStored(Digest.sha256(layers[0]), Digest.sha256(layers[1]));
        counting.resetCounts();

        HttpResponse<byte[]> copy = copy(Map.of("source", counting.host() + "/team/app:1.4", "target", "apps/app-7f3c:v1"));
        assertThat(copy.statusCode()).as(new String(copy.body(), StandardCharsets.UTF_8)).isEqualTo(201);
        JsonNode result = TestRegistry.json(copy);
        assertThat(result.path("digest").asText()).isEqualTo(digest.toString());
        assertThat(result.path("blobsFetched").asInt()).as("the config and the two layers not cached").isEqualTo(3);
        assertThat(result.path("blobsReused").asInt()).isEqualTo(2);
        assertThat(result.path("bytesReused").asLong()).isEqualTo(700_000);
        assertThat(result.path("pinned").asBoolean()).isTrue();
        assertThat(counting.count("GET /v2/team/app/blobs/")).as("blobs fetched from the upstream").isEqualTo(3);
        assertThat(counting.count("GET /v2/team/app/blobs/" + Digest.sha256(layers[0]))).isZero();

        JsonNode pins = TestRegistry.json(hoard.get("/hoard/api/v1/pins"));
        assertThat(pins.path("pins").findValuesAsText("pin")).contains("apps/app-7f3c:v1");

        // The upstream tag moves: the staged tag does not.
        new V2Pusher(upstream.url()).pushImage("team/app", "1.4", randomBytes(1000, 9));
        assertPullable("apps/app-7f3c", "v1", manifest, layers);
        // The upstream stops answering: the staged tag still pulls, all from the store.
        counting.mode(FaultProxy.Mode.SERVER_ERROR);
        try {
            counting.resetCounts();
            assertPullable("apps/app-7f3c", "v1", manifest, layers);
            assertThat(counting.count("")).as("requests that reached the upstream").isZero();
        } finally {
            counting.mode(FaultProxy.Mode.PASS);
        }
    }

    @Test
    void aShortLivedTokenIsUsedForTheCopyAloneAndWrittenNowhere() throws Exception {
        String token = issuer.mint("carol", "repository:team/private:pull", Duration.ofSeconds(5));
        HttpResponse<byte[]> copy;
        String logs;
        try (LogCapture capture = new LogCapture()) {
            copy = copy(Map.of("source", tokenRegistry.host() + "/team/private:v3", "target", "apps/private-1",
                    "credentials", Map.of("token", token)));
            logs = capture.text();
        }
        assertThat(copy.statusCode()).as(new String(copy.body(), StandardCharsets.UTF_8)).isEqualTo(201);
        JsonNode result = TestRegistry.json(copy);
        assertThat(result.path("target").asText()).isEqualTo("apps/private-1:v3");
        assertThat(result.path("blobsFetched").asInt()).isEqualTo(3);
        assertThat(logs).contains("copied").doesNotContain(token).doesNotContain(token.substring(token.lastIndexOf('.') + 1));
        assertThat(filesContaining(work.resolve("hoard"), token.substring(0, 40))).isEmpty();

        // Without the token the source refuses, and its registry going away changes nothing for the copy.
        HttpResponse<byte[]> refused = copy(Map.of("source", tokenRegistry.host() + "/team/private:v3",
                "target", "apps/private-2"));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(new String(refused.body(), StandardCharsets.UTF_8)).contains("refused");
        tokenRegistry.close();
        HttpResponse<byte[]> m = hoard.get("/v2/apps/private-1/manifests/v3", "Accept", TestRegistry.OCI_MANIFEST);
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.headers().firstValue("Docker-Content-Digest")).hasValue(result.path("digest").asText());
    }

    @Test
    void copiesFromALocalRepositoryMountEverythingAndStreamProgress() throws Exception {
        byte[] manifest = hoard.pushImage("mine/base", "1", randomBytes(10_000, 20), randomBytes(20_000, 21));
        HttpResponse<String> lines = hoard.http.send(hoard.request("/hoard/api/v1/copies")
                .header("Accept", "application/x-ndjson").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(TestRegistry.JSON.writeValueAsBytes(
                        Map.of("source", "mine/base:1", "target", "mine/staged:s1")))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(lines.statusCode()).isEqualTo(200);
        List<String> events = lines.body().lines().toList();
        assertThat(events).hasSize(4); // config, two layers, the result
        JsonNode last = TestRegistry.JSON.readTree(events.get(3)).path("result");
        assertThat(last.path("blobsFetched").asInt()).isZero();
        assertThat(last.path("blobsReused").asInt()).isEqualTo(3);
        assertThat(hoard.get("/v2/mine/staged/manifests/s1", "Accept", TestRegistry.OCI_MANIFEST).body()).isEqualTo(manifest);

        HttpResponse<byte[]> missing = copy(Map.of("source", "mine/base:nope", "target", "mine/staged:s2"));
        TestRegistry.assertError(missing, 404, "MANIFEST_UNKNOWN");
        HttpResponse<byte[]> intoCache = copy(Map.of("source", "mine/base:1", "target", counting.host() + "/team/app:x"));
        TestRegistry.assertError(intoCache, 403, "DENIED");
    }

    private HttpResponse<byte[]> copy(Map<String, Object> request) throws IOException, InterruptedException {
        return hoard.send(hoard.request("/hoard/api/v1/copies").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(TestRegistry.JSON.writeValueAsBytes(request))));
    }

    private void assertPullable(String repo, String tag, byte[] manifest, byte[][] layers) throws Exception {
        HttpResponse<byte[]> m = hoard.get("/v2/" + repo + "/manifests/" + tag, "Accept", TestRegistry.OCI_MANIFEST);
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.body()).isEqualTo(manifest);
        for (byte[] layer : layers) {
            HttpResponse<byte[]> b = hoard.get("/v2/" + repo + "/blobs/" + Digest.sha256(layer));
            assertThat(b.statusCode()).isEqualTo(200);
            assertThat(Digest.sha256(b.body())).isEqualTo(Digest.sha256(layer));
        }
    }

    private void awaitStored(Digest... digests) throws Exception {
        for (Digest d : digests) {
            Path data = work.resolve("hoard/docker/registry/v2/blobs/sha256/" + d.hex().substring(0, 2) + "/" + d.hex() + "/data");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Files.exists(data) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(data).exists();
        }
    }

    private static List<Path> filesContaining(Path root, String needle) throws IOException {
        byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).filter(f -> {
                try {
                    return new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)
                            .contains(new String(n, StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    return false;
                }
            }).toList();
        }
    }
}
