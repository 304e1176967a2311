package io.hoard.server;

import static io.hoard.server.TestRegistry.OCI_MANIFEST;
import static io.hoard.server.TestRegistry.assertError;
import static io.hoard.server.TestRegistry.randomBytes;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.model.Digest;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests an attacker or a fuzzer sends: every one gets an answer (never a hanging connection),
 * encoded characters never turn into another name, and strictness where the spec is strict.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
final class HostileRequestsTest {
    private TestRegistry registry;
    private int port;

    @BeforeAll
    void start() throws Exception {
        registry = TestRegistry.inMemory("");
        port = registry.app.address().getPort();
    }

    @AfterAll
    void stop() {
        registry.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v2/%zz/tags/list", "/v2/a/manifests/%zz", "/v2/a/blobs/%zz", "/v2/a%/tags/list",
            "/v2/a/blobs/uploads/%z", "/v2/a/tags/list?n=%zz", "/v2/_catalog?last=%", "/%zz", "/v2/a/manifests/%C3%28",
            "/v2/a/referrers/%zz"})
    void malformedEscapesAreAnsweredWith400(String path) throws Exception {
        String response = raw("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(response).as(path).matches("(?s)HTTP/1\\.1 40[04] .*");
        if (response.startsWith("HTTP/1.1 400")) {
            assertThat(response).contains("\"errors\"");
        }
    }

    @Test
    void anEncodedSlashNeverReachesAnotherRepository() throws Exception {
        byte[] manifest = registry.pushImage("fuzz/victim", "v1", randomBytes(100, 1));
        Digest digest = Digest.sha256(manifest);
        assertError(registry.delete("/v2/fuzz%2Fvictim/manifests/" + digest), 400, "NAME_INVALID");
        assertError(registry.delete("/v2/fuzz%2fvictim/manifests/v1"), 400, "NAME_INVALID");
        assertError(registry.send(registry.request("/v2/fuzz%2Fvictim/blobs/uploads/").POST(
                HttpRequest.BodyPublishers.noBody())), 400, "NAME_INVALID");
        assertError(registry.putManifest("fuzz%2Fvictim", "v2", manifest, OCI_MANIFEST), 400, "NAME_INVALID");
        assertError(registry.get("/v2/fuzz/victim/manifests/v1%2F..%2Fv1"), 400, "TAG_INVALID");
        assertThat(registry.get("/v2/fuzz/victim/manifests/v1").statusCode()).isEqualTo(200);
        assertThat(registry.get("/v2/fuzz/victim/manifests/" + digest).statusCode()).isEqualTo(200);
        // An encoded character that is allowed raw is just that character.
        assertThat(registry.get("/v2/fuzz/victim/manifests/sha256%3A" + digest.hex()).statusCode()).isEqualTo(200);
    }

    @Test
    void overlongOrInvalidPaginationIsA400() throws Exception {
        registry.pushImage("page/app", "v1", randomBytes(10, 2));
        assertError(registry.get("/v2/page/app/tags/list?last=" + "a".repeat(5000)), 400, "PAGINATION_NUMBER_INVALID");
        assertError(registry.get("/v2/_catalog?last=" + "a".repeat(5000)), 400, "PAGINATION_NUMBER_INVALID");
        assertError(registry.get("/v2/_catalog?last=%00"), 400, "PAGINATION_NUMBER_INVALID");
        assertThat(registry.get("/v2/page/app/tags/list?last=v0").statusCode()).isEqualTo(200);
    }

    @Test
    void http11WithoutHostIs400AndOtherVersionsAre505() throws Exception {
        assertThat(raw("GET /v2/ HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(raw("GET /v2/ HTTP/1.0\r\n\r\n")).startsWith("HTTP/1.1 200");
        assertThat(raw("GET /v2/ HTTP/2.0\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 505");
        assertThat(raw("GET /v2/ HTTP/1.2\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 505");
        assertThat(raw("GET /v2/ HTTP/0.9\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 505");
        assertThat(registry.get("/v2/").statusCode()).isEqualTo(200);
    }

    @Test
    void manifestsMustBeStrictUtf8JsonWithOneValue() throws Exception {
        Digest config = registry.pushBlob("strict/app", "{}".getBytes(UTF_8));
        String valid = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":"
                + TestRegistry.descriptor("application/vnd.oci.image.config.v1+json", config, 2) + ",\"layers\":[]}";
        assertError(registry.putManifest("strict/app", "utf16", valid.getBytes(java.nio.charset.StandardCharsets.UTF_16LE),
                OCI_MANIFEST), 400, "MANIFEST_INVALID");
        assertError(registry.putManifest("strict/app", "utf16be", valid.getBytes(java.nio.charset.StandardCharsets.UTF_16),
                OCI_MANIFEST), 400, "MANIFEST_INVALID");
        assertError(registry.putManifest("strict/app", "trailing", (valid + "{}").getBytes(UTF_8), OCI_MANIFEST), 400,
                "MANIFEST_INVALID");
        assertError(registry.putManifest("strict/app", "trailing2", (valid + "x").getBytes(UTF_8), OCI_MANIFEST), 400,
                "MANIFEST_INVALID");
        assertError(registry.putManifest("strict/app", "dup", valid.replace("{\"schemaVersion\":2,",
                "{\"schemaVersion\":2,\"schemaVersion\":2,").getBytes(UTF_8), OCI_MANIFEST), 400, "MANIFEST_INVALID");
        assertThat(TestRegistry.json(registry.get("/v2/strict/app/tags/list")).path("tags")).isEmpty();
        assertThat(registry.putManifest("strict/app", "ok", (valid + "\n").getBytes(UTF_8), OCI_MANIFEST).statusCode())
                .isEqualTo(201);
    }

    @Test
    void aReferenceThatIsNeitherTagNorDigestIsUnknownToReadsAndInvalidToWrites() throws Exception {
        assertError(registry.get("/v2/ref/app/manifests/.bad"), 404, "MANIFEST_UNKNOWN");
        assertError(registry.get("/v2/ref/app/manifests/sha256:nothex"), 404, "MANIFEST_UNKNOWN");
        assertThat(registry.head("/v2/ref/app/manifests/" + "t".repeat(200)).statusCode()).isEqualTo(404);
        assertError(registry.putManifest("ref/app", ".bad", "{}".getBytes(UTF_8), OCI_MANIFEST), 400, "TAG_INVALID");
    }

    @Test
    void automaticMountWithoutFrom() throws Exception {
        byte[] layer = randomBytes(300, 3);
        Digest digest = registry.pushBlob("mount/source", layer);
        HttpResponse<byte[]> mounted = registry.send(registry.request("/v2/mount/target/blobs/uploads/?mount=" + digest)
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(mounted.statusCode()).isEqualTo(201);
        assertThat(mounted.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        assertThat(registry.get("/v2/mount/target/blobs/" + digest).body()).isEqualTo(layer);
        HttpResponse<byte[]> unknown = registry.send(registry.request("/v2/mount/target/blobs/uploads/?mount="
                + Digest.sha256(randomBytes(10, 4))).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(unknown.statusCode()).isEqualTo(202);
    }

    @Test
    void aHeadSentByteByByteIsCutAndOthersAreStillServed() throws Exception {
        try (TestRegistry slow = TestRegistry.withHttp("  headtimeout: 1s\n  maxconnections: 3\n", "storage:\n  inmemory: {}\n")) {
            int slowPort = slow.app.address().getPort();
            try (Socket s = new Socket("127.0.0.1", slowPort)) {
                s.setSoTimeout(5000);
                long start = System.nanoTime();
                s.getOutputStream().write("GET /v2/ HT".getBytes(US_ASCII));
                s.getOutputStream().flush();
                assertThat(s.getInputStream().read()).as("closed by the head timeout").isEqualTo(-1);
                assertThat((System.nanoTime() - start) / 1_000_000).isBetween(500L, 4000L);
            }
            // Above maxconnections: refused politely, and served again once connections go away.
            Socket[] held = new Socket[3];
            try {
                for (int i = 0; i < held.length; i++) {
                    held[i] = new Socket("127.0.0.1", slowPort);
                }
                Thread.sleep(200);
                try (Socket extra = new Socket("127.0.0.1", slowPort)) {
                    extra.setSoTimeout(5000);
                    String answer = new String(extra.getInputStream().readAllBytes(), US_ASCII);
                    assertThat(answer).startsWith("HTTP/1.1 503").contains("too many connections");
                }
            } finally {
                for (Socket h : held) {
                    if (h != null) {
                        h.close();
                    }
                }
            }
            Thread.sleep(200);
            assertThat(slow.get("/v2/").statusCode()).isEqualTo(200);
        }
    }

    /** Sends {@code request} on a new connection and returns what comes back before the server closes it (or 5 s). */
    private String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    String text = out.toString(US_ASCII);
                    int end = text.indexOf("\r\n\r\n");
                    if (end > 0 && text.contains("content-length: ")) {
                        int len = Integer.parseInt(text.replaceAll("(?s).*content-length: (\\d+).*", "$1"));
                        if (out.size() >= end + 4 + len) {
                            break;
                        }
                    }
                }
            } catch (java.net.SocketTimeoutException e) {
                if (out.size() == 0) {
                    throw new AssertionError("no answer within 5 s to " + request.lines().findFirst().orElse(""));
                }
            }
            return out.toString(US_ASCII);
        }
    }
}
