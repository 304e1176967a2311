package io.hoard.server;

import static io.hoard.server.TestRegistry.assertError;
import static io.hoard.server.it.V2Pusher.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.model.Digest;
import io.hoard.server.it.Distribution;
import io.hoard.server.it.FaultProxy;
import io.hoard.server.it.TokenIssuer;
import io.hoard.server.it.V2Pusher;
import io.hoard.upstream.Credentials;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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
 * The pull-through cache against real CNCF distribution upstreams: anonymous (behind a counting
 * proxy, the default upstream), htpasswd (Basic) and token auth with a token service run by this
 * test, all configured in one Hoard and reached by default, by {@code ?ns=} and by host prefix.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
final class ProxyIT {
    @TempDir
    static Path work;

    private Distribution anonymous;
    private FaultProxy counting;
    private Distribution basic;
    private TokenIssuer issuer;
    private Distribution token;
    private TestRegistry hoard;

    private byte[] appManifest;
    private byte[] appLayer;

    @BeforeAll
    void start() throws Exception {
        anonymous = Distribution.start(work.resolve("anonymous"));
        counting = FaultProxy.start(anonymous.url());
        basic = Distribution.withHtpasswd(work.resolve("basic"), "bob", "secret");
        // The token registry is seeded while it is still anonymous, then restarted behind token auth.
        Path tokenDir = work.resolve("token");
        try (Distribution seeding = Distribution.start(tokenDir)) {
            new V2Pusher(seeding.url()).pushImage("team/secret", "v1", randomBytes(50_000, 30));
        }
        issuer = TokenIssuer.start(work.resolve("issuer"), Map.of("carol", "pw"));
        token = Distribution.withTokenAuth(tokenDir, issuer);

        appLayer = randomBytes(3_000_000, 1);
        appManifest = new V2Pusher(anonymous.url()).pushImage("library/app", "v1", appLayer, randomBytes(1000, 2));
        new V2Pusher(basic.url(), new Credentials("bob", "secret").basicHeader())
                .pushImage("team/basic", "v1", randomBytes(40_000, 3));

        hoard = TestRegistry.filesystem(work.resolve("hoard"), """
                proxy:
                  remoteregistries:
                  - url: %s
                  - url: %s
                    username: bob
                    password: secret
                  - url: %s
                    username: carol
                    password: pw
                  timeout: 5s
                  connecttimeout: 2s
                """.formatted(counting.url(), basic.url(), token.url()));
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {hoard, token, issuer, basic, counting, anonymous}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void pullsThroughTheDefaultUpstreamAndThenServesFromCache() throws Exception {
        Digest manifestDigest = Digest.sha256(appManifest);
        HttpResponse<byte[]> byTag = hoard.get("/v2/app/manifests/v1", "Accept", V2Pusher.OCI_MANIFEST);
        assertThat(byTag.statusCode()).isEqualTo(200);
        assertThat(byTag.body()).isEqualTo(appManifest);
        assertThat(byTag.headers().firstValue("Docker-Content-Digest")).hasValue(manifestDigest.toString());

        Digest layer = Digest.sha256(appLayer);
        assertThat(hoard.get("/v2/library/app/blobs/" + layer).body()).isEqualTo(appLayer);
        int blobFetches = counting.count("GET /v2/library/app/blobs/" + layer);
        assertThat(blobFetches).isEqualTo(1);

        // Cached: by digest nothing at all goes upstream; by tag nothing within the TTL.
        counting.resetCounts();
        assertThat(hoard.get("/v2/library/app/blobs/" + layer).body()).isEqualTo(appLayer);
        assertThat(hoard.get("/v2/app/blobs/" + layer).body()).isEqualTo(appLayer);
        assertThat(hoard.get("/v2/library/app/manifests/" + manifestDigest).body()).isEqualTo(appManifest);
        assertThat(hoard.get("/v2/app/manifests/v1").body()).isEqualTo(appManifest);
        assertThat(hoard.head("/v2/library/app/blobs/" + layer).statusCode()).isEqualTo(200);
        assertThat(counting.count("")).as("requests that reached the upstream").isZero();
        var metrics = hoard.app.proxyMetrics().orElseThrow();
        // From storage, or from the fill still committing it: either way not from the upstream.
        assertThat(metrics.blobHits() + metrics.coalesced()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void rangeRequestsOnColdBlobsAndEmptyBlobs() throws Exception {
        byte[] layer = randomBytes(2_000_000, 11);
        Digest d = new V2Pusher(anonymous.url()).pushBlob("library/ranged", layer);
        HttpResponse<byte[]> tail = hoard.get("/v2/ranged/blobs/" + d, "Range", "bytes=1500000-");
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.body()).isEqualTo(java.util.Arrays.copyOfRange(layer, 1_500_000, layer.length));
        assertThat(tail.headers().firstValue("Content-Range")).hasValue("bytes 1500000-1999999/2000000");
        Digest empty = new V2Pusher(anonymous.url()).pushBlob("library/ranged", new byte[0]);
        HttpResponse<byte[]> none = hoard.get("/v2/ranged/blobs/" + empty);
        assertThat(none.statusCode()).isEqualTo(200);
        assertThat(none.body()).isEmpty();
    }

    @Test
    void headMissDoesNotDownloadTheBlob() throws Exception {
        byte[] layer = randomBytes(500_000, 4);
        new V2Pusher(anonymous.url()).pushImage("library/headonly", "v1", layer);
        Digest d = Digest.sha256(layer);
        HttpResponse<byte[]> head = hoard.head("/v2/headonly/blobs/" + d);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).hasValue("500000");
        assertThat(counting.count("GET /v2/library/headonly/blobs/" + d)).isZero();
        assertThat(counting.count("HEAD /v2/library/headonly/blobs/" + d)).isEqualTo(1);
    }

    @Test
    void secondUpstreamByNamespaceAndByHostPrefixWithBasicAuth() throws Exception {
        HttpResponse<byte[]> byNs = hoard.get("/v2/team/basic/manifests/v1?ns=" + basic.host());
        assertThat(byNs.statusCode()).as(new String(byNs.body())).isEqualTo(200);
        HttpResponse<byte[]> byPrefix = hoard.get("/v2/" + basic.host() + "/team/basic/manifests/v1");
        assertThat(byPrefix.statusCode()).isEqualTo(200);
        assertThat(byPrefix.body()).isEqualTo(byNs.body());
        var layer = TestRegistry.json(byNs).path("layers").get(0).path("digest").asText();
        HttpResponse<byte[]> blob = hoard.get("/v2/team/basic/blobs/" + layer + "?ns=" + basic.host());
        assertThat(Digest.sha256(blob.body()).toString()).isEqualTo(layer);
        // The default upstream does not have it: names without the host are not routed there.
        assertError(hoard.get("/v2/team/basic/manifests/v1"), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void tokenAuthUpstreamGetsOneTokenPerScopeAndReusesIt() throws Exception {
        int before = issuer.requests("carol");
        HttpResponse<byte[]> m = hoard.get("/v2/team/secret/manifests/v1?ns=" + token.host());
        assertThat(m.statusCode()).as(new String(m.body())).isEqualTo(200);
        for (var layer : TestRegistry.json(m).path("layers")) {
            HttpResponse<byte[]> blob = hoard.get("/v2/team/secret/blobs/" + layer.path("digest").asText() + "?ns=" + token.host());
            assertThat(blob.statusCode()).isEqualTo(200);
        }
        var config = TestRegistry.json(m).path("config").path("digest").asText();
        assertThat(hoard.get("/v2/" + token.host() + "/team/secret/blobs/" + config).statusCode()).isEqualTo(200);
        assertThat(issuer.requests("carol") - before).as("token requests").isEqualTo(1);
        assertThat(issuer.requests("")).as("anonymous token requests").isZero();
    }

    @Test
    void sixteenConcurrentColdFetchesOfABigBlobReachTheUpstreamOnce() throws Exception {
        byte[] big = randomBytes(120 * 1024 * 1024, 5);
        Digest d = new V2Pusher(anonymous.url()).pushBlob("library/big", big);
        new V2Pusher(anonymous.url()).pushImage("library/big", "v1", randomBytes(10, 6));
        big = null; // keep the test's heap small: clients hash as they read
        counting.resetCounts();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String path = (i % 2 == 0 ? "/v2/big" : "/v2/library/big") + "/blobs/" + d;
                results.add(pool.submit((Callable<String>) () -> streamDigest(path)));
            }
            for (Future<String> r : results) {
                assertThat(r.get()).isEqualTo(d.toString());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(counting.count("GET /v2/library/big/blobs/" + d)).as("upstream blob GETs").isEqualTo(1);
        assertThat(counting.blobBytes()).as("upstream blob bytes").isEqualTo(120L * 1024 * 1024);
        assertThat(hoard.app.proxyMetrics().orElseThrow().coalesced()).isGreaterThan(0);
        assertThat(streamDigest("/v2/library/big/blobs/" + d)).isEqualTo(d.toString());
        assertThat(counting.count("GET /v2/library/big/blobs/" + d)).isEqualTo(1);
    }

    @Test
    void pushIsLocalAndPullOfAProxiedNameWorksBesideIt() throws Exception {
        byte[] pushed = hoard.pushImage("myteam/app", "1", randomBytes(20_000, 7));
        counting.resetCounts();
        HttpResponse<byte[]> local = hoard.get("/v2/myteam/app/manifests/1");
        assertThat(local.body()).isEqualTo(pushed);
        assertThat(counting.count("")).as("a pushed repository is never proxied").isZero();
        assertThat(hoard.get("/v2/app/manifests/v1").statusCode()).isEqualTo(200);

        // Into a cache, or under an upstream's host: refused.
        assertError(hoard.send(hoard.request("/v2/library/app/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody())),
                403, "DENIED");
        assertError(hoard.send(hoard.request("/v2/" + basic.host() + "/mine/blobs/uploads/")
                .POST(HttpRequest.BodyPublishers.noBody())), 403, "DENIED");
        assertError(hoard.send(hoard.request("/v2/mine/blobs/uploads/?ns=" + basic.host())
                .POST(HttpRequest.BodyPublishers.noBody())), 403, "DENIED");
    }

    @Test
    void anAbandonedPushDoesNotHideTheUpstreamRepository() throws Exception {
        String location = hoard.startUpload("library/shadowed"); // started, never finished; the upstream has no such name yet
        assertThat(location).isNotEmpty();
        new V2Pusher(anonymous.url()).pushImage("library/shadowed", "v1", randomBytes(100, 12));
        assertThat(hoard.get("/v2/shadowed/manifests/v1").statusCode()).isEqualTo(200);
        // Now it holds cached content: pushing there is refused, as for any cache.
        assertError(hoard.send(hoard.request("/v2/library/shadowed/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody())),
                403, "DENIED");
    }

    @Test
    void aPushNeverShadowsWhatTheDefaultUpstreamServes() throws Exception {
        new V2Pusher(anonymous.url()).pushImage("library/served", "v1", randomBytes(100, 13));
        HttpResponse<byte[]> refused = hoard.send(hoard.request("/v2/library/served/blobs/uploads/")
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertError(refused, 403, "DENIED");
        assertThat(new String(refused.body(), java.nio.charset.StandardCharsets.UTF_8)).contains("proxy.localnamespaces");
        assertError(hoard.send(hoard.request("/v2/served/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody())),
                403, "DENIED");
        assertThat(hoard.get("/v2/served/manifests/v1").statusCode()).isEqualTo(200);

        // A name claimed by an upload before the upstream had it cannot shadow it once it does.
        hoard.startUpload("library/claimed");
        new V2Pusher(anonymous.url()).pushImage("library/claimed", "v1", randomBytes(100, 14));
        assertError(hoard.send(hoard.request("/v2/library/claimed/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody())),
                403, "DENIED");
    }

    @Test
    void unknownNamespaceIsNotProxied() throws Exception {
        assertError(hoard.get("/v2/library/app/manifests/v1?ns=quay.io"), 404, "NAME_UNKNOWN");
    }

    @Test
    void tagsListComesFromTheUpstream() throws Exception {
        new V2Pusher(anonymous.url()).pushImage("library/tagged", "a", randomBytes(10, 8));
        new V2Pusher(anonymous.url()).pushImage("library/tagged", "b", randomBytes(10, 9));
        HttpResponse<byte[]> tags = hoard.get("/v2/tagged/tags/list");
        assertThat(tags.statusCode()).isEqualTo(200);
        assertThat(TestRegistry.json(tags).path("tags").toString()).isEqualTo("[\"a\",\"b\"]");
        assertError(hoard.get("/v2/nosuchrepo/tags/list"), 404, "NAME_UNKNOWN");
    }

    private String streamDigest(String path) throws Exception {
        HttpResponse<InputStream> r = hoard.http.send(hoard.request(path).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                return "HTTP " + r.statusCode() + ": " + new String(in.readAllBytes());
            }
            byte[] buf = new byte[256 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                sha.update(buf, 0, n);
            }
        }
        return Digest.fromHash(io.hoard.model.DigestAlgorithm.SHA256, sha.digest()).toString();
    }
}
