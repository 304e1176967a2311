package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hoard.config.ConfigLoader;
import io.hoard.config.RegistryConfig;
import io.hoard.model.Digest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;

/** A registry started in the test JVM on a free loopback port, and an HTTP client for it. */
final class TestRegistry implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    final RegistryApp app;
    /** The registry's clock: tests move it forward instead of sleeping past TTLs. */
    final AdjustableClock clock;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final String base;
    /** Sent as the Authorization header of every request when set (a registry with auth.htpasswd). */
    volatile String authorization;

    private TestRegistry(RegistryApp app, AdjustableClock clock) {
        this.app = app;
        this.clock = clock;
        this.base = "http://127.0.0.1:" + app.address().getPort();
    }

    /** An in-memory registry with deletes enabled plus {@code extraYaml}. */
    static TestRegistry inMemory(String extraYaml) throws Exception {
        return start("storage:\n  inmemory: {}\n  delete:\n    enabled: true\n" + extraYaml);
    }

    static TestRegistry filesystem(Path root, String extraYaml) throws Exception {
        return start("storage:\n  filesystem:\n    rootdirectory: " + root + "\n  delete:\n    enabled: true\n" + extraYaml);
    }

    /** A registry on a new bucket of {@code s3} with deletes enabled plus {@code extraYaml}. */
    static TestRegistry s3(io.hoard.testing.S3ProxyServer s3, String bucket, String extraYaml) throws Exception {
        s3.createBucket(bucket);
        return withHttp("  secret: test-cluster-secret\n", "storage:\n" + s3Section(s3, bucket)
                + "  delete:\n    enabled: true\n" + extraYaml);
    }

    /** The {@code storage.s3} lines (indented) for {@code bucket} of {@code s3}. */
    static String s3Section(io.hoard.testing.S3ProxyServer s3, String bucket) {
        return "  s3:\n    accesskey: " + io.hoard.testing.S3ProxyServer.ACCESS_KEY + "\n    secretkey: "
                + io.hoard.testing.S3ProxyServer.SECRET_KEY + "\n    region: us-east-1\n    regionendpoint: "
                + s3.endpoint() + "\n    bucket: " + bucket + "\n    rootdirectory: /registry\n";
    }

    static TestRegistry start(String yaml) throws Exception {
        return withHttp("", yaml);
    }

    /** A registry whose {@code http} section also has {@code httpKeys} (indented lines). */
    static TestRegistry withHttp(String httpKeys, String yaml) throws Exception {
        RegistryConfig config = ConfigLoader.parse("http:\n  addr: 127.0.0.1:0\n" + httpKeys + yaml, Map.of(), "test");
        AdjustableClock clock = new AdjustableClock();
        return new TestRegistry(RegistryApp.start(config, clock), clock);
    }

    /** The system clock, moved forward by {@link #advance}. */
    static final class AdjustableClock extends java.time.Clock {
        private final java.util.concurrent.atomic.AtomicReference<Duration> offset =
                new java.util.concurrent.atomic.AtomicReference<>(Duration.ZERO);

        void advance(Duration d) {
            offset.accumulateAndGet(d, Duration::plus);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.time.Instant instant() {
            return java.time.Instant.now().plus(offset.get());
        }
    }

    @Override
    public void close() {
        app.close();
    }

    // ---- raw requests ----

    HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : base + path));
        String auth = authorization;
        return auth == null ? r : r.header("Authorization", auth);
    }

    static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder r = request(path).GET();
        if (headers.length > 0) {
            r.headers(headers);
        }
        return send(r);
    }

    HttpResponse<byte[]> head(String path) throws IOException, InterruptedException {
        return send(request(path).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    }

    HttpResponse<byte[]> delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE());
    }

    // ---- push helpers ----

    /** Pushes a blob the two-step way (POST, then PUT with the whole body) and returns its digest. */
    Digest pushBlob(String repo, byte[] content) throws IOException, InterruptedException {
        Digest digest = Digest.sha256(content);
        String location = startUpload(repo);
        HttpResponse<byte[]> put = send(request(withQuery(location, "digest=" + digest))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
        assertThat(put.statusCode()).as(new String(put.body(), StandardCharsets.UTF_8)).isEqualTo(201);
        return digest;
    }

    String startUpload(String repo) throws IOException, InterruptedException {
        HttpResponse<byte[]> post = send(request("/v2/" + repo + "/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(post.statusCode()).isEqualTo(202);
        return post.headers().firstValue("Location").orElseThrow();
    }

    HttpResponse<byte[]> putManifest(String repo, String reference, byte[] manifest, String mediaType)
            throws IOException, InterruptedException {
        return send(request("/v2/" + repo + "/manifests/" + reference).header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
    }

    /** Pushes a config and {@code layers} and an OCI manifest tagged {@code tag}; returns the manifest bytes. */
    byte[] pushImage(String repo, String tag, byte[]... layers) throws IOException, InterruptedException {
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        Digest configDigest = pushBlob(repo, config);
        StringBuilder layerJson = new StringBuilder();
        for (byte[] layer : layers) {
            Digest d = pushBlob(repo, layer);
            if (!layerJson.isEmpty()) {
                layerJson.append(',');
            }
            layerJson.append(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", d, layer.length));
        }
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":"
                + descriptor("application/vnd.oci.image.config.v1+json", configDigest, config.length)
                + ",\"layers\":[" + layerJson + "]}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> put = putManifest(repo, tag, manifest, OCI_MANIFEST);
        assertThat(put.statusCode()).as(new String(put.body(), StandardCharsets.UTF_8)).isEqualTo(201);
        return manifest;
    }

    static String descriptor(String mediaType, Digest digest, long size) {
        return "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%d}".formatted(mediaType, digest, size);
    }

    static String withQuery(String location, String query) {
        return location + (location.contains("?") ? "&" : "?") + query;
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static JsonNode json(HttpResponse<byte[]> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /** Asserts a V2 error response: status, code, and a detail that says something. */
    static void assertError(HttpResponse<byte[]> response, int status, String code) throws IOException {
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertThat(response.statusCode()).as(body).isEqualTo(status);
        if (response.request().method().equals("HEAD")) {
            return;
        }
        JsonNode error = JSON.readTree(body).path("errors").path(0);
        assertThat(error.path("code").asText()).as(body).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotEmpty();
        assertThat(error.path("detail").asText()).as("detail says what was wrong").isNotEmpty();
    }
}
