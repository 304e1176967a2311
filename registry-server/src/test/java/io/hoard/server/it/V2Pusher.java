package io.hoard.server.it;

import io.hoard.model.Digest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;

/** Seeds a registry over plain HTTP (optionally with Basic credentials): blobs and OCI images. */
public final class V2Pusher {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String authorization;

    public V2Pusher(String base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    public V2Pusher(String base) {
        this(base, null);
    }

    /** An image of one config and the given layers (any bytes), tagged; returns the manifest. */
    public byte[] pushImage(String repo, String tag, byte[]... layers) throws IOException, InterruptedException {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":\"" + repo + tag + "\"}").getBytes(StandardCharsets.UTF_8);
        Digest configDigest = pushBlob(repo, config);
        StringBuilder layerJson = new StringBuilder();
        for (byte[] layer : layers) {
            Digest d = pushBlob(repo, layer);
            layerJson.append(layerJson.isEmpty() ? "" : ",").append(descriptor("application/vnd.oci.image.layer.v1.tar", d, layer.length));
        }
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":"
                + descriptor("application/vnd.oci.image.config.v1+json", configDigest, config.length)
                + ",\"layers\":[" + layerJson + "]}").getBytes(StandardCharsets.UTF_8);
        putManifest(repo, tag, manifest);
        return manifest;
    }

    public void putManifest(String repo, String reference, byte[] manifest) throws IOException, InterruptedException {
        HttpResponse<String> put = http.send(request("/v2/" + repo + "/manifests/" + reference)
                .header("Content-Type", OCI_MANIFEST).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(),
                HttpResponse.BodyHandlers.ofString());
        check(put, 201);
    }

    public Digest pushBlob(String repo, byte[] content) throws IOException, InterruptedException {
        Digest digest = Digest.sha256(content);
        HttpResponse<String> post = http.send(request("/v2/" + repo + "/blobs/uploads/")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        check(post, 202);
        String location = post.headers().firstValue("Location").orElseThrow();
        URI put = URI.create(base).resolve(location + (location.contains("?") ? "&" : "?") + "digest=" + digest);
        HttpResponse<String> done = http.send(request(put.toString()).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build(), HttpResponse.BodyHandlers.ofString());
        check(done, 201);
        return digest;
    }

    private HttpRequest.Builder request(String pathOrUrl) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : base + pathOrUrl))
                .timeout(Duration.ofSeconds(120));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    private static void check(HttpResponse<String> r, int status) {
        if (r.statusCode() != status) {
            throw new AssertionError(r.request().method() + " " + r.uri() + " -> " + r.statusCode() + ": " + r.body());
        }
    }

    public static String descriptor(String mediaType, Digest digest, long size) {
        return "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%d}".formatted(mediaType, digest, size);
    }

    public static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
