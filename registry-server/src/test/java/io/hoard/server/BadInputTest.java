package io.hoard.server;

import static io.hoard.server.TestRegistry.OCI_MANIFEST;
import static io.hoard.server.TestRegistry.assertError;
import static io.hoard.server.TestRegistry.descriptor;
import static io.hoard.server.TestRegistry.json;
import static io.hoard.server.TestRegistry.randomBytes;
import static io.hoard.server.TestRegistry.withQuery;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.model.Digest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every kind of bad input gets the right V2 error, and nothing of it is stored. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class BadInputTest {
    private TestRegistry registry;
    private TestRegistry noDeletes;

    @BeforeAll
    void start() throws Exception {
        registry = TestRegistry.inMemory("");
        noDeletes = TestRegistry.start("storage:\n  inmemory: {}\n");
    }

    @AfterAll
    void stop() {
        registry.close();
        noDeletes.close();
    }

    @Test
    void wrongDigestOnPutStoresNothing() throws Exception {
        byte[] content = randomBytes(1000, 1);
        Digest wrong = Digest.sha256("something else".getBytes(UTF_8));
        String location = registry.startUpload("bad/digest");
        HttpResponse<byte[]> put = registry.send(registry.request(withQuery(location, "digest=" + wrong))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
        assertError(put, 400, "DIGEST_INVALID");
        assertThat(registry.head("/v2/bad/digest/blobs/" + wrong).statusCode()).isEqualTo(404);
        assertThat(registry.head("/v2/bad/digest/blobs/" + Digest.sha256(content)).statusCode()).isEqualTo(404);
        assertError(registry.get(location), 404, "BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void wrongDigestOnMonolithicPost() throws Exception {
        Digest wrong = Digest.sha256("x".getBytes(UTF_8));
        HttpResponse<byte[]> r = registry.send(registry.request("/v2/bad/mono/blobs/uploads/?digest=" + wrong)
                .POST(HttpRequest.BodyPublishers.ofByteArray(randomBytes(500, 2))));
        assertError(r, 400, "DIGEST_INVALID");
        assertThat(registry.head("/v2/bad/mono/blobs/" + wrong).statusCode()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"md5:d41d8cd98f00b204e9800998ecf8427e", "sha256:xyz", "sha256:ABCDEF",
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", "sha256", "nocolon"})
    void malformedDigestsAreRejected(String digest) throws Exception {
        assertError(registry.get("/v2/bad/any/blobs/" + digest), 400, "DIGEST_INVALID");
        String location = registry.startUpload("bad/any");
        assertError(registry.send(registry.request(withQuery(location, "digest=" + digest))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1}))), 400, "DIGEST_INVALID");
    }

    @Test
    void finishingWithoutDigestIsRejected() throws Exception {
        String location = registry.startUpload("bad/nodigest");
        assertError(registry.send(registry.request(location).PUT(HttpRequest.BodyPublishers.noBody())), 400,
                "DIGEST_INVALID");
        assertThat(registry.get(location).statusCode()).as("the session survives").isEqualTo(204);
    }

    @Test
    void malformedJsonManifest() throws Exception {
        HttpResponse<byte[]> r = registry.putManifest("bad/json", "v1", "{not json".getBytes(UTF_8), OCI_MANIFEST);
        assertError(r, 400, "MANIFEST_INVALID");
        assertError(registry.get("/v2/bad/json/manifests/v1"), 404, "MANIFEST_UNKNOWN");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "{\"schemaVersion\":3}", "{\"schemaVersion\":2,\"config\":{}}",
            "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"sha256:x\",\"size\":1},\"layers\":[]}",
            "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":-1},\"layers\":[]}",
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":{}}",
            "{\"schemaVersion\":2,\"schemaVersion\":2}"})
    void structurallyInvalidManifests(String body) throws Exception {
        assertError(registry.putManifest("bad/struct", "v1", body.getBytes(UTF_8), OCI_MANIFEST), 400, "MANIFEST_INVALID");
        assertError(registry.get("/v2/bad/struct/manifests/v1"), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void contentTypeContradictingMediaType() throws Exception {
        byte[] m = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}")
                .getBytes(UTF_8);
        assertError(registry.putManifest("bad/ct", "v1", m, OCI_MANIFEST), 400, "MANIFEST_INVALID");
    }

    @Test
    void schema1IsRefused() throws Exception {
        byte[] m = "{\"schemaVersion\":1,\"name\":\"x\",\"tag\":\"v1\",\"fsLayers\":[]}".getBytes(UTF_8);
        HttpResponse<byte[]> r = registry.putManifest("bad/schema1", "v1", m,
                "application/vnd.docker.distribution.manifest.v1+prettyjws");
        assertError(r, 400, "MANIFEST_INVALID");
        assertThat(json(r).path("errors").path(0).path("detail").asText()).contains("schema 1");
    }

    @Test
    void manifestReferencingMissingBlobs() throws Exception {
        Digest config = registry.pushBlob("bad/refs", "{}".getBytes(UTF_8));
        Digest missing = Digest.sha256("missing layer".getBytes(UTF_8));
        byte[] m = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":"
                + descriptor("application/vnd.oci.image.config.v1+json", config, 2) + ",\"layers\":["
                + descriptor("application/vnd.oci.image.layer.v1.tar", missing, 13) + "]}").getBytes(UTF_8);
        assertError(registry.putManifest("bad/refs", "v1", m, OCI_MANIFEST), 404, "MANIFEST_BLOB_UNKNOWN");
        assertError(registry.get("/v2/bad/refs/manifests/" + Digest.sha256(m)), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void indexReferencingMissingManifest() throws Exception {
        Digest missing = Digest.sha256("no manifest".getBytes(UTF_8));
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                + descriptor(OCI_MANIFEST, missing, 100) + "]}").getBytes(UTF_8);
        assertError(registry.putManifest("bad/index", "v1", index, "application/vnd.oci.image.index.v1+json"), 404,
                "MANIFEST_BLOB_UNKNOWN");
    }

    @Test
    void manifestDigestMustMatchUrl() throws Exception {
        byte[] m = registry.pushImage("bad/mdigest", "v1", randomBytes(10, 3));
        Digest other = Digest.sha256("other".getBytes(UTF_8));
        assertError(registry.putManifest("bad/mdigest", other.toString(), m, OCI_MANIFEST), 400, "DIGEST_INVALID");
        assertThat(registry.get("/v2/bad/mdigest/manifests/" + other).statusCode()).isEqualTo(404);
    }

    @Test
    void oversizeManifestIs413() throws Exception {
        byte[] huge = new byte[4 * 1024 * 1024 + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        HttpResponse<byte[]> r = registry.putManifest("bad/huge", "v1", huge, OCI_MANIFEST);
        assertError(r, 413, "SIZE_INVALID");
        assertThat(registry.get("/v2/").statusCode()).as("server keeps serving").isEqualTo(200);
    }

    @Test
    void patchOutOfOrderIs416AndChangesNothing() throws Exception {
        String location = registry.startUpload("bad/order");
        HttpResponse<byte[]> first = registry.send(registry.request(location).header("Content-Range", "0-9")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(randomBytes(10, 4))));
        assertThat(first.statusCode()).isEqualTo(202);
        String next = first.headers().firstValue("Location").orElseThrow();
        HttpResponse<byte[]> gap = registry.send(registry.request(next).header("Content-Range", "20-29")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(randomBytes(10, 5))));
        assertError(gap, 416, "RANGE_INVALID");
        HttpResponse<byte[]> overlap = registry.send(registry.request(next).header("Content-Range", "5-14")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(randomBytes(10, 6))));
        assertError(overlap, 416, "RANGE_INVALID");
        assertThat(registry.get(next).headers().firstValue("Range")).hasValue("0-9");
    }

    @Test
    void malformedContentRange() throws Exception {
        String location = registry.startUpload("bad/crange");
        assertError(registry.send(registry.request(location).header("Content-Range", "banana")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(new byte[] {1}))), 400, "BLOB_UPLOAD_INVALID");
        assertError(registry.send(registry.request(location).header("Content-Range", "0-9")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2}))), 400, "SIZE_INVALID");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Upper/case", "a/../b", "a//b", "-lead", "trail-", "a/.hidden", "a__-b"})
    void invalidNames(String name) throws Exception {
        assertError(registry.get("/v2/" + name + "/tags/list"), 400, "NAME_INVALID");
        assertError(registry.send(registry.request("/v2/" + name + "/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody())),
                400, "NAME_INVALID");
    }

    @Test
    void tooLongName() throws Exception {
        String name = "a".repeat(128) + "/" + "b".repeat(128);
        assertError(registry.get("/v2/" + name + "/manifests/latest"), 400, "NAME_INVALID");
    }

    @Test
    void invalidTag() throws Exception {
        assertError(registry.putManifest("bad/tag", ".dot", "{}".getBytes(UTF_8), OCI_MANIFEST), 400, "TAG_INVALID");
        // A read of such a reference is simply unknown (the OCI conformance suite expects 404).
        assertError(registry.get("/v2/bad/tag/manifests/" + "t".repeat(129)), 404, "MANIFEST_UNKNOWN");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=abc", "items=0-1", "bytes=5-2", "bytes=", "bytes=-0", "bytes=99999999999999999999-"})
    void invalidRanges(String range) throws Exception {
        Digest d = registry.pushBlob("bad/range", randomBytes(100, 7));
        HttpResponse<byte[]> r = registry.get("/v2/bad/range/blobs/" + d, "Range", range);
        assertError(r, 416, "RANGE_INVALID");
        assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes */100");
    }

    @ParameterizedTest
    @ValueSource(strings = {"00000000-0000-0000-0000-000000000000", "not-a-uuid", "..", "%2e%2e"})
    void unknownUploadIds(String id) throws Exception {
        assertError(registry.get("/v2/bad/upload/blobs/uploads/" + id), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(registry.send(registry.request("/v2/bad/upload/blobs/uploads/" + id)
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(new byte[] {1}))), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(registry.delete("/v2/bad/upload/blobs/uploads/" + id), 404, "BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void uploadIdOfAnotherRepositoryIsUnknown() throws Exception {
        String location = registry.startUpload("bad/owner");
        String id = location.substring(location.lastIndexOf('/') + 1);
        assertError(registry.get("/v2/bad/thief/blobs/uploads/" + id), 404, "BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void deletesDisabled() throws Exception {
        byte[] m = noDeletes.pushImage("nodel/app", "v1", randomBytes(10, 8));
        assertError(noDeletes.delete("/v2/nodel/app/manifests/" + Digest.sha256(m)), 405, "UNSUPPORTED");
        assertError(noDeletes.delete("/v2/nodel/app/manifests/v1"), 405, "UNSUPPORTED");
        Digest layer = Digest.sha256(randomBytes(10, 8));
        assertError(noDeletes.delete("/v2/nodel/app/blobs/" + layer), 405, "UNSUPPORTED");
        assertThat(noDeletes.get("/v2/nodel/app/manifests/v1").statusCode()).isEqualTo(200);
        assertThat(noDeletes.get("/v2/nodel/app/blobs/" + layer).statusCode()).isEqualTo(200);
    }

    @Test
    void unknownRoutesAndMethods() throws Exception {
        assertError(registry.get("/v2/bad/x/nothing/here"), 404, "NOT_FOUND");
        assertError(registry.get("/elsewhere"), 404, "NOT_FOUND");
        HttpResponse<byte[]> r = registry.send(registry.request("/v2/bad/x/tags/list").POST(HttpRequest.BodyPublishers.noBody()));
        assertError(r, 405, "UNSUPPORTED");
        assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void badPaginationNumber() throws Exception {
        registry.pushImage("bad/page", "v1", randomBytes(10, 9));
        assertError(registry.get("/v2/bad/page/tags/list?n=-1"), 400, "PAGINATION_NUMBER_INVALID");
        assertError(registry.get("/v2/_catalog?n=lots"), 400, "PAGINATION_NUMBER_INVALID");
    }
}
