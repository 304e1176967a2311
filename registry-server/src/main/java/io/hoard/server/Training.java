package io.hoard.server;

import io.hoard.config.ConfigLoader;
import io.hoard.config.RegistryConfig;
import io.hoard.model.Digest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Random;

/**
 * {@code hoard train}: a short workload typical of a running Hoard, for the JDK's AOT cache (JDK
 * 25+, {@code -XX:AOTCacheOutput}) to record which classes it loads and links and how its hot code
 * behaves. A registry and a pull-through cache of it run on loopback in this JVM with storage in a
 * temporary directory; blobs and manifests are pushed to the first, then pulled cold and warm
 * through both, manifests by tag and digest many times. A JVM started with the resulting cache
 * ({@code -XX:AOTCache}) starts in about half the time and reaches full speed in seconds instead
 * of tens of seconds. Nothing outside the temporary directory is touched; it is removed at the end.
 */
final class Training {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final int MANIFEST_PULLS = 8000;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Training() {
    }

    static void run() throws Exception {
        Path dir = Files.createTempDirectory("hoard-training-");
        try {
            new Training().workload(dir);
        } finally {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private void workload(Path dir) throws Exception {
        String quiet = "version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\nhttp: {addr: 127.0.0.1:0}\n";
        RegistryConfig upstreamConfig = ConfigLoader.parse(quiet + "storage: {filesystem: {rootdirectory: "
                + dir.resolve("upstream") + "}}\n", Map.of(), "training upstream");
        Logging.configure(upstreamConfig.log());
        try (RegistryApp upstream = RegistryApp.start(upstreamConfig)) {
            String upstreamUrl = "http://127.0.0.1:" + upstream.address().getPort();
            RegistryConfig cacheConfig = ConfigLoader.parse(quiet + "storage: {filesystem: {rootdirectory: "
                    + dir.resolve("cache") + "}}\nproxy: {remoteregistries: [{url: '" + upstreamUrl + "'}]}\n", Map.of(),
                    "training cache");
            try (RegistryApp cache = RegistryApp.start(cacheConfig)) {
                String cacheUrl = "http://127.0.0.1:" + cache.address().getPort();
                Random random = new Random(1);
                Digest first = null;
                for (int image = 0; image < 3; image++) {
                    String repo = "library/training" + image;
                    Digest manifest = pushImage(upstreamUrl, repo, random);
                    first = first == null ? manifest : first;
                    pull(cacheUrl, "training" + image, manifest); // cold: fills through the proxy
                    pull(cacheUrl, "training" + image, manifest); // warm
                    pull(upstreamUrl, repo, manifest);
                }
                // Cached manifests by tag and by digest, from the cache and from the plain registry,
                // sixteen at a time as busy clients ask: the event loop's path from memory gets hot.
                String[] urls = {cacheUrl + "/v2/training0/manifests/latest", cacheUrl + "/v2/training0/manifests/" + first,
                    upstreamUrl + "/v2/library/training0/manifests/" + first, cacheUrl + "/v2/library/training0/manifests/v1"};
                for (int i = 0; i < MANIFEST_PULLS; i += 16) {
                    java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>> batch = new java.util.ArrayList<>();
                    for (int j = 0; j < 16; j++) {
                        batch.add(http.sendAsync(HttpRequest.newBuilder(URI.create(urls[(i + j) % urls.length]))
                                .header("Accept", OCI_MANIFEST).timeout(Duration.ofSeconds(30)).build(),
                                HttpResponse.BodyHandlers.ofByteArray()));
                    }
                    batch.forEach(java.util.concurrent.CompletableFuture::join);
                }
                get(cacheUrl + "/v2/_catalog", null);
                get(cacheUrl + "/v2/training0/tags/list", null);
                get(cacheUrl + "/v2/training0/manifests/missing", OCI_MANIFEST);
            }
        }
    }

    /** Pushes a config and two layers (one monolithic, one in chunks) and a manifest under three tags. */
    private Digest pushImage(String base, String repo, Random random) throws IOException, InterruptedException {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":" + random.nextInt() + "}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] layer1 = new byte[2 << 20];
        byte[] layer2 = new byte[1 << 20];
        random.nextBytes(layer1);
        random.nextBytes(layer2);
        Digest c = Digest.sha256(config);
        Digest l1 = Digest.sha256(layer1);
        Digest l2 = Digest.sha256(layer2);
        send(HttpRequest.newBuilder(URI.create(base + "/v2/" + repo + "/blobs/uploads/?digest=" + c))
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(config)));
        send(HttpRequest.newBuilder(URI.create(base + "/v2/" + repo + "/blobs/uploads/?digest=" + l1))
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(layer1)));
        String location = send(HttpRequest.newBuilder(URI.create(base + "/v2/" + repo + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody())).headers().firstValue("Location").orElseThrow();
        int half = layer2.length / 2;
        location = send(HttpRequest.newBuilder(URI.create(absolute(base, location))).header("Content-Type",
                "application/octet-stream").header("Content-Range", "0-" + (half - 1))
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(layer2, 0, half))).headers().firstValue("Location")
                .orElseThrow();
        String last = absolute(base, location);
        send(HttpRequest.newBuilder(URI.create(last + (last.contains("?") ? "&" : "?") + "digest=" + l2))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(layer2, half, layer2.length - half)));
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"size\":" + config.length + ",\"digest\":\"" + c + "\"},"
                + "\"layers\":[" + layer(l1, layer1.length) + "," + layer(l2, layer2.length) + "]}")
                .getBytes(StandardCharsets.UTF_8);
        for (String tag : new String[] {"latest", "v1", "v2"}) {
            send(HttpRequest.newBuilder(URI.create(base + "/v2/" + repo + "/manifests/" + tag))
                    .header("Content-Type", OCI_MANIFEST).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
        }
        return Digest.sha256(manifest);
    }

    private static String layer(Digest d, int size) {
        return "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"size\":" + size + ",\"digest\":\"" + d + "\"}";
    }

    /** What a client pulling an image does: manifest by tag and digest, HEAD and GET of every blob. */
    private void pull(String base, String repo, Digest manifest) throws IOException, InterruptedException {
        get(base + "/v2/" + repo + "/manifests/latest", OCI_MANIFEST);
        String body = new String(get(base + "/v2/" + repo + "/manifests/" + manifest, OCI_MANIFEST).body(),
                StandardCharsets.UTF_8);
        for (String part : body.split("\"digest\":\"")) {
            if (part.startsWith("sha256:")) {
                String blob = base + "/v2/" + repo + "/blobs/" + part.substring(0, 71);
                send(HttpRequest.newBuilder(URI.create(blob)).method("HEAD", HttpRequest.BodyPublishers.noBody()));
                get(blob, null);
            }
        }
    }

    private HttpResponse<byte[]> get(String url, @org.jspecify.annotations.Nullable String accept)
            throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).GET();
        if (accept != null) {
            r.header("Accept", accept);
        }
        return send(r);
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String absolute(String base, String location) {
        return location.startsWith("http") ? location : base + location;
    }
}
