package io.hoard.server;

import static io.hoard.server.TestRegistry.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.server.it.ScriptedUpstream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Upstreams that send what no registry should: bodies far larger than anything Hoard buffers,
 * non-HTTP banners with secrets in them, absurd blob sizes, token realms and redirects pointing at
 * loopback. Hoard answers each with a clear V2 error that quotes nothing of theirs, and keeps serving.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
final class HostileUpstreamTest {
    private static final long HUGE = 8L * 1024 * 1024;
    /** A different digest per test: fills of one digest are shared, and that is not what these test. */
    private static String digest(char c) {
        return "sha256:" + String.valueOf(c).repeat(64);
    }

    private Path data;
    private ScriptedUpstream configured;
    /** Challenges with a realm on 127.0.0.2 (an endpoint remembers its last challenge, so a separate one). */
    private ScriptedUpstream pointsInside;
    /** Redirects blob requests: on its own, so that no other test's challenge is remembered for it. */
    private ScriptedUpstream redirects;
    private ScriptedUpstream dynamic;
    private ScriptedUpstream banner;
    private ScriptedUpstream configuredBanner;
    private ScriptedUpstream internal;
    private TestRegistry hoard;

    @BeforeAll
    void start() throws Exception {
        data = Files.createTempDirectory("hoard-hostile-upstream");
        pointsInside = ScriptedUpstream.start("127.0.0.1");
        redirects = ScriptedUpstream.start("127.0.0.1");
        configured = ScriptedUpstream.start("127.0.0.1");
        dynamic = ScriptedUpstream.start("127.0.0.1");
        banner = ScriptedUpstream.start("127.0.0.1").banner("SSH-2.0-OpenSSH_9.0 secret-banner-XYZ\r\n".getBytes());
        configuredBanner = ScriptedUpstream.start("127.0.0.1").banner("SSH-2.0-OpenSSH_9.0 secret-banner-XYZ\r\n".getBytes());
        internal = ScriptedUpstream.start("127.0.0.2");
        String tags = "{\"tags\":[\"";
        configured.on("GET /v2/library/big/tags/list", ScriptedUpstream.answer(200, Map.of("Content-Type", "application/json"),
                HUGE, i -> i < tags.length() ? (byte) tags.charAt(i.intValue()) : (byte) 'a'));
        configured.on("HEAD /v2/library/huge/blobs/", ScriptedUpstream.answer(200, Map.of(), 100L << 30, i -> (byte) 0));
        configured.on("GET /v2/library/huge/blobs/", ScriptedUpstream.answer(200, Map.of(), 100L << 30, i -> (byte) 0));
        dynamic.on("GET /v2/big/tags/list", (line, out) -> {
            out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".getBytes());
            byte[] chunk = new byte[65536];
            java.util.Arrays.fill(chunk, (byte) 'a');
            for (int i = 0; i < HUGE / chunk.length; i++) {
                out.write(("10000\r\n").getBytes());
                out.write(chunk);
                out.write("\r\n".getBytes());
            }
            out.write("0\r\n\r\n".getBytes());
        });
        dynamic.on("GET /v2/ref/app/referrers/", ScriptedUpstream.answer(200, Map.of(), HUGE, i -> (byte) '{'));
        dynamic.on("HEAD /v2/tok/app/manifests/", ScriptedUpstream.answer(401, Map.of("WWW-Authenticate",
                "Bearer realm=\"http://" + dynamic.host() + "/token\",service=\"x\""), 0, i -> (byte) 0));
        dynamic.on("GET /v2/tok/app/manifests/", ScriptedUpstream.answer(401, Map.of("WWW-Authenticate",
                "Bearer realm=\"http://" + dynamic.host() + "/token\",service=\"x\""), 0, i -> (byte) 0));
        dynamic.on("GET /token", ScriptedUpstream.answer(200, Map.of(), 1024 * 1024, i -> (byte) 'x'));
        pointsInside.on("GET /v2/realm/app/manifests/", ScriptedUpstream.answer(401, Map.of("WWW-Authenticate",
                "Bearer realm=\"http://" + internal.host() + "/token\",service=\"x\""), 0, i -> (byte) 0));
        redirects.on("GET /v2/redir/app/blobs/", ScriptedUpstream.answer(307, Map.of("Location",
                "http://" + internal.host() + "/blob"), 0, i -> (byte) 0));
        redirects.on("GET /v2/file/app/blobs/", ScriptedUpstream.answer(307, Map.of("Location", "file:///etc/passwd"), 0,
                i -> (byte) 0));
        hoard = TestRegistry.filesystem(data, """
                proxy:
                  remoteregistries:
                  - url: http://%s
                  - url: http://%s
                  on: true
                  allowedhosts: ['%s', '%s', '%s', '%s']
                  maxblobsize: 1MiB
                  timeout: 5s
                """.formatted(configured.host(), configuredBanner.host(), dynamic.host(), banner.host(), pointsInside.host(),
                        redirects.host()));
    }

    @AfterAll
    void stop() throws Exception {
        hoard.close();
        for (ScriptedUpstream u : new ScriptedUpstream[] {configured, dynamic, banner, configuredBanner, internal,
            pointsInside, redirects}) {
            u.close();
        }
        try (Stream<Path> files = Files.walk(data)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void hugeTagListsAreRefusedNotBuffered() throws Exception {
        HttpResponse<byte[]> viaConfigured = hoard.get("/v2/big/tags/list");
        assertThat(viaConfigured.body().length).as("nothing of the 8 MiB list is passed on").isLessThan(4096);
        assertThat(viaConfigured.statusCode()).isIn(200, 404, 503);
        HttpResponse<byte[]> viaDynamic = hoard.get("/v2/big/tags/list?ns=" + dynamic.host());
        assertError(viaDynamic, 503, "UNAVAILABLE");
        assertSaysNothingOfTheirs(viaDynamic);
        assertThat(hoard.get("/v2/").statusCode()).isEqualTo(200);
    }

    @Test
    void hugeTokenAndReferrersAnswersAreRefused() throws Exception {
        HttpResponse<byte[]> token = hoard.get("/v2/tok/app/manifests/1?ns=" + dynamic.host());
        assertError(token, 503, "UNAVAILABLE");
        assertSaysNothingOfTheirs(token);
        HttpResponse<byte[]> referrers = hoard.get("/v2/ref/app/referrers/" + digest('1') + "?ns=" + dynamic.host());
        assertError(referrers, 503, "UNAVAILABLE");
        assertSaysNothingOfTheirs(referrers);
    }

    @Test
    void aBannerWithASecretIsNeverEchoed() throws Exception {
        for (String path : new String[] {"/v2/x/app/manifests/1?ns=" + banner.host(),
            "/v2/x/app/manifests/1?ns=" + configuredBanner.host(), "/v2/x/app/blobs/" + digest('2') + "?ns=" + banner.host()}) {
            HttpResponse<byte[]> r = hoard.get(path);
            assertError(r, 503, "UNAVAILABLE");
            assertSaysNothingOfTheirs(r);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("127.0.0.1:");
        }
    }

    @Test
    void blobsLargerThanMaxBlobSizeAreNotFetched() throws Exception {
        HttpResponse<byte[]> r = hoard.get("/v2/huge/blobs/" + digest('3'));
        assertError(r, 503, "UNAVAILABLE");
        assertSaysNothingOfTheirs(r);
        Thread.sleep(300);
        try (Stream<Path> spools = Files.walk(data.resolve("_spool"))) {
            assertThat(spools.filter(p -> p.toString().endsWith(".spool")).toList()).isEmpty();
        }
    }

    @Test
    void realmsAndRedirectsToNonPublicAddressesAreNotFollowed() throws Exception {
        HttpResponse<byte[]> realm = hoard.get("/v2/realm/app/manifests/1?ns=" + pointsInside.host());
        assertError(realm, 403, "DENIED");
        assertThat(new String(realm.body(), StandardCharsets.UTF_8)).contains("proxy.allowedhosts");
        HttpResponse<byte[]> redirect = hoard.get("/v2/redir/app/blobs/" + digest('4') + "?ns=" + redirects.host());
        assertError(redirect, 403, "DENIED");
        assertThat(internal.connections()).as("nothing connected to 127.0.0.2").isZero();
        HttpResponse<byte[]> file = hoard.get("/v2/file/app/blobs/" + digest('5') + "?ns=" + redirects.host());
        assertError(file, 503, "UNAVAILABLE");
        assertThat(new String(file.body(), StandardCharsets.UTF_8)).doesNotContain("passwd");
    }

    private static void assertSaysNothingOfTheirs(HttpResponse<byte[]> r) {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(body.length()).isLessThan(2048);
        assertThat(body).doesNotContain("secret-banner").doesNotContain("SSH-2.0").doesNotContain("Exception")
                .doesNotContain("java.").doesNotContain("aaaa").doesNotContain("xxxx");
    }
}
