package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.model.Digest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A manifest (or a HEAD of a blob) answered on the event loop from memory is the same answer, byte
 * for byte and header for header, as one answered by the handler on a worker — compared against a registry that keeps
 * nothing in memory ({@code blobdescriptorsize: 0}), so every request there takes the worker path.
 */
final class ManifestFromMemoryTest {
    private static final String CONFIG = "  headers:\n    X-Registry: [hoard-test]\n";

    private static TestRegistry registry(int descriptorCacheSize) throws Exception {
        return TestRegistry.withHttp(CONFIG, "storage:\n  inmemory: {}\n  cache:\n    blobdescriptorsize: "
                + descriptorCacheSize + "\n");
    }

    /** The response's headers; the request id (its own on every response) only as "present". */
    private static Map<String, List<String>> headers(HttpResponse<byte[]> r) {
        Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(r.headers().map());
        h.computeIfPresent("X-Request-Id", (k, v) -> List.of("present"));
        return h;
    }

    @Test
    void answersFromMemoryMatchTheHandlersAnswers() throws Exception {
        try (TestRegistry memory = registry(10_000); TestRegistry worker = registry(0)) {
            byte[] manifest = memory.pushImage("team/app", "v1", "layer".getBytes());
            assertThat(worker.pushImage("team/app", "v1", "layer".getBytes())).isEqualTo(manifest);
            String digest = Digest.sha256(manifest).toString();
            for (String[] request : new String[][] {
                {"GET", digest, TestRegistry.OCI_MANIFEST},
                {"HEAD", digest, TestRegistry.OCI_MANIFEST},
                {"GET", digest, "*/*"},
                {"GET", digest, "application/vnd.docker.distribution.manifest.v2+json"}, // not accepted: the worker decides
                {"GET", "v1", TestRegistry.OCI_MANIFEST},
                {"GET", "sha256:" + "0".repeat(64), TestRegistry.OCI_MANIFEST},
            }) {
                String path = "/v2/team/app/manifests/" + request[1];
                for (int i = 0; i < 2; i++) { // the second is certainly warm
                    HttpResponse<byte[]> a = memory.send(memory.request(path).header("Accept", request[2])
                            .method(request[0], java.net.http.HttpRequest.BodyPublishers.noBody()));
                    HttpResponse<byte[]> b = worker.send(worker.request(path).header("Accept", request[2])
                            .method(request[0], java.net.http.HttpRequest.BodyPublishers.noBody()));
                    assertThat(a.statusCode()).as(String.join(" ", request)).isEqualTo(b.statusCode());
                    assertThat(headers(a)).as(String.join(" ", request)).isEqualTo(headers(b));
                    assertThat(a.body()).as(String.join(" ", request)).isEqualTo(b.body());
                }
            }
            Digest layer = Digest.sha256("layer".getBytes());
            for (String[] request : new String[][] {
                {layer.toString(), null}, {layer.toString(), "bytes=1-2"}, {layer.toString(), "bytes=100-200"},
                {"sha256:" + "1".repeat(64), null}}) {
                String path = "/v2/team/app/blobs/" + request[0];
                for (int i = 0; i < 2; i++) {
                    var head = java.net.http.HttpRequest.BodyPublishers.noBody();
                    var ra = memory.request(path).method("HEAD", head);
                    var rb = worker.request(path).method("HEAD", head);
                    if (request[1] != null) {
                        ra.header("Range", request[1]);
                        rb.header("Range", request[1]);
                    }
                    HttpResponse<byte[]> a = memory.send(ra);
                    HttpResponse<byte[]> b = worker.send(rb);
                    String what = "HEAD " + path + " Range " + request[1];
                    assertThat(a.statusCode()).as(what).isEqualTo(b.statusCode());
                    assertThat(headers(a)).as(what).isEqualTo(headers(b));
                }
            }
            HttpResponse<byte[]> warm = memory.get("/v2/team/app/manifests/" + digest, "Accept", TestRegistry.OCI_MANIFEST);
            assertThat(warm.body()).isEqualTo(manifest);
            assertThat(warm.headers().firstValue("X-Registry")).hasValue("hoard-test");
            assertThat(warm.headers().firstValue("Docker-Content-Digest")).hasValue(digest);
        }
    }

    @Test
    void aDeletedManifestIsNotServedFromMemory() throws Exception {
        try (TestRegistry memory = TestRegistry.withHttp("", "storage:\n  inmemory: {}\n  delete:\n    enabled: true\n")) {
            byte[] manifest = memory.pushImage("team/app", "v1", "layer".getBytes());
            String path = "/v2/team/app/manifests/" + Digest.sha256(manifest);
            assertThat(memory.get(path, "Accept", TestRegistry.OCI_MANIFEST).statusCode()).isEqualTo(200);
            assertThat(memory.delete(path).statusCode()).isEqualTo(202);
            assertThat(memory.get(path, "Accept", TestRegistry.OCI_MANIFEST).statusCode()).isEqualTo(404);
        }
    }
}
