package io.hoard.server;

import static io.hoard.server.TestRegistry.assertError;
import static io.hoard.server.it.V2Pusher.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoard.model.Digest;
import io.hoard.server.it.Distribution;
import io.hoard.server.it.V2Pusher;
import io.hoard.upstream.Credentials;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code proxy.on} as an attacker meets it: content a client's credentials fetched goes only to
 * clients the upstream accepts, and clients cannot make Hoard connect to non-public addresses.
 */
@Timeout(180)
final class ProxyOnSecurityIT {
    @TempDir
    Path work;

    @Test
    void privateContentGoesOnlyToClientsTheUpstreamAccepts() throws Exception {
        Path upstreamDir = work.resolve("upstream");
        byte[] manifest;
        try (Distribution seeding = Distribution.start(upstreamDir)) {
            manifest = new V2Pusher(seeding.url()).pushImage("private/app", "1", randomBytes(5000, 1));
            new V2Pusher(seeding.url()).pushImage("public/other", "1", randomBytes(10, 2));
        }
        Digest digest = Digest.sha256(manifest);
        String layer = TestRegistry.JSON.readTree(manifest).path("layers").path(0).path("digest").asText();
        Distribution upstream = Distribution.withHtpasswd(upstreamDir, "alice", "pw-alice");
        try (TestRegistry hoard = TestRegistry.filesystem(work.resolve("hoard"), """
                proxy:
                  on: true
                  ttl: 1s
                  accessttl: 1s
                  accessgrace: 1h
                  allowedhosts: ['%s']
                """.formatted(upstream.host()))) {
            String ns = "?ns=" + upstream.host();
            String alice = new Credentials("alice", "pw-alice").basicHeader();
            String mallory = new Credentials("alice", "wrong").basicHeader();
            String[] paths = {"/v2/private/app/manifests/1", "/v2/private/app/manifests/" + digest,
                "/v2/private/app/blobs/" + layer, "/v2/private/app/tags/list", "/v2/private/app/referrers/" + digest};

            for (String p : paths) {
                assertThat(hoard.get(p + ns, "Authorization", alice).statusCode()).as("alice: " + p).isEqualTo(200);
            }
            for (int round = 0; round < 2; round++) {
                for (String p : paths) {
                    assertError(hoard.get(p + ns), 401, "UNAUTHORIZED");
                    assertError(hoard.get(p + ns, "Authorization", mallory), 401, "UNAUTHORIZED");
                }
                // The same bytes under another name: only where that name's upstream has them.
                assertError(hoard.get("/v2/library/anything/blobs/" + layer + ns), 401, "UNAUTHORIZED");
                assertError(hoard.get("/v2/public/other/blobs/" + layer + ns, "Authorization", alice), 404, "BLOB_UNKNOWN");
                assertError(hoard.get("/v2/public/other/manifests/" + digest + ns, "Authorization", alice), 404,
                        "MANIFEST_UNKNOWN");
                hoard.clock.advance(java.time.Duration.ofMillis(1200)); // past the TTL and the access TTL: the same answers
            }
            assertThat(hoard.get(paths[0] + ns, "Authorization", alice).statusCode()).isEqualTo(200);
            JsonNode catalog = TestRegistry.json(hoard.get("/v2/_catalog"));
            assertThat(catalog.toString()).doesNotContain("anything").doesNotContain("public/other")
                    .as("a cache of a client-named upstream is not listed").doesNotContain("private/app");

            upstream.close(); // an outage: only a client accepted recently gets what is cached
            assertThat(hoard.get(paths[0] + ns, "Authorization", alice).statusCode()).isEqualTo(200);
            assertThat(hoard.get(paths[2] + ns, "Authorization", alice).statusCode()).isEqualTo(200);
            for (String p : new String[] {paths[0], paths[1], paths[2]}) {
                HttpResponse<byte[]> r = hoard.get(p + ns, "Authorization", mallory);
                assertThat(r.statusCode()).as("wrong password during an outage: " + p).isNotEqualTo(200);
                assertThat(hoard.get(p + ns).statusCode()).as("anonymous during an outage: " + p).isNotEqualTo(200);
            }
        } finally {
            upstream.close();
        }
    }

    @Test
    void privateLayersAreNotServedUnderTheDefaultUpstreamsNames() throws Exception {
        Path upstreamDir = work.resolve("private-upstream");
        byte[] manifest;
        try (Distribution seeding = Distribution.start(upstreamDir)) {
            manifest = new V2Pusher(seeding.url()).pushImage("private/app", "1", randomBytes(3000, 6));
        }
        String layer = TestRegistry.JSON.readTree(manifest).path("layers").path(0).path("digest").asText();
        Distribution hub = Distribution.start(work.resolve("hub"));
        try (Distribution upstream = Distribution.withHtpasswd(upstreamDir, "alice", "pw-alice");
                TestRegistry hoard = TestRegistry.filesystem(work.resolve("hoard-default"), """
                        proxy:
                          remoteregistries:
                          - url: %s
                          on: true
                          allowedhosts: ['%s']
                        """.formatted(hub.url(), upstream.host()))) {
            String alice = new Credentials("alice", "pw-alice").basicHeader();
            assertThat(hoard.get("/v2/private/app/blobs/" + layer + "?ns=" + upstream.host(), "Authorization", alice)
                    .statusCode()).isEqualTo(200);
            // The default upstream (a stand-in for Docker Hub) does not have it: neither by name nor during its outage.
            assertError(hoard.get("/v2/library/anything/blobs/" + layer), 404, "BLOB_UNKNOWN");
            assertError(hoard.get("/v2/anything/blobs/" + layer), 404, "BLOB_UNKNOWN");
            hub.close();
            assertThat(hoard.get("/v2/library/anything/blobs/" + layer).statusCode()).isNotEqualTo(200);
            assertThat(TestRegistry.json(hoard.get("/v2/_catalog")).toString()).doesNotContain("anything");
        } finally {
            hub.close();
        }
    }

    @Test
    void clientsCannotMakeHoardConnectToNonPublicAddresses() throws Exception {
        try (Distribution target = Distribution.start(work.resolve("internal"));
                TestRegistry hoard = TestRegistry.filesystem(work.resolve("hoard-ssrf"), "proxy:\n  on: true\n")) {
            new V2Pusher(target.url()).pushImage("secret/app", "1", randomBytes(10, 3));
            int port = target.port();
            String hostName = InetAddress.getLocalHost().getHostName();
            String[] hostile = {"/v2/secret/app/manifests/1?ns=127.0.0.1:" + port,
                "/v2/secret/app/manifests/1?ns=localhost:" + port,
                "/v2/secret/app/manifests/1?ns=%5B::1%5D:" + port,
                "/v2/127.0.0.1:" + port + "/secret/app/manifests/1",
                "/v2/secret/app/manifests/1?ns=169.254.169.254",
                "/v2/secret/app/manifests/1?ns=10.0.0.1:5000",
                "/v2/secret/app/manifests/1?ns=" + hostName + ":" + port};
            for (String p : hostile) {
                long start = System.nanoTime();
                HttpResponse<byte[]> r = hoard.get(p);
                assertError(r, 403, "DENIED");
                assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("proxy.allowedhosts");
                assertThat((System.nanoTime() - start) / 1_000_000).as(p).isLessThan(3000);
            }
            assertThat(target.log()).doesNotContainPattern("(GET|HEAD) /v2/secret/app/manifests");
        }
    }

    @Test
    void allowedHostsLimitWhatClientsMayNameAndExactEntriesMayBeLocal() throws Exception {
        try (Distribution target = Distribution.start(work.resolve("listed"));
                Distribution other = Distribution.start(work.resolve("unlisted"));
                TestRegistry hoard = TestRegistry.filesystem(work.resolve("hoard-allowed"), """
                        proxy:
                          on: true
                          allowedhosts: ['%s', '*.example.com', 'ghcr.io']
                        """.formatted(target.host()))) {
            new V2Pusher(target.url()).pushImage("team/app", "1", randomBytes(10, 4));
            new V2Pusher(other.url()).pushImage("team/app", "1", randomBytes(10, 5));
            assertThat(hoard.get("/v2/team/app/manifests/1?ns=" + target.host()).statusCode()).isEqualTo(200);
            assertError(hoard.get("/v2/team/app/manifests/1?ns=" + other.host()), 403, "DENIED");
            assertError(hoard.get("/v2/team/app/manifests/1?ns=quay.io"), 403, "DENIED");
            assertError(hoard.get("/v2/team/app/manifests/1?ns=a.b.example.com"), 403, "DENIED");
            // With proxy.on and no configured upstream, Docker Hub names go to Docker Hub (here: not allowed).
            for (String p : new String[] {"/v2/busybox/manifests/latest", "/v2/library/x/manifests/1",
                "/v2/x/manifests/1?ns=docker.io"}) {
                HttpResponse<byte[]> r = hoard.get(p);
                assertError(r, 403, "DENIED");
                assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("registry-1.docker.io");
            }
        }
    }
}
