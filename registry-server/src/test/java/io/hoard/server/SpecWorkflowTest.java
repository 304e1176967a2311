package io.hoard.server;

import static io.hoard.server.TestRegistry.OCI_INDEX;
import static io.hoard.server.TestRegistry.OCI_MANIFEST;
import static io.hoard.server.TestRegistry.assertError;
import static io.hoard.server.TestRegistry.descriptor;
import static io.hoard.server.TestRegistry.json;
import static io.hoard.server.TestRegistry.randomBytes;
import static io.hoard.server.TestRegistry.withQuery;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoard.model.Digest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import io.hoard.testing.S3ProxyServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The four workflows of the OCI distribution spec (pull, push, content discovery, content
 * management), written from the spec's text, against a registry running in this JVM.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ParameterizedClass(name = "on {0}")
@ValueSource(strings = {"inmemory", "s3"})
final class SpecWorkflowTest {
    @Parameter
    String storage;
    private TestRegistry registry;
    private @org.jspecify.annotations.Nullable S3ProxyServer s3;

    @TempDir
    static Path s3dir;
    private static int buckets;

    /** Each storage gets a fresh registry; s3 streams blobs itself here (redirects are RedirectTest's). */
    @BeforeParameterizedClassInvocation
    void start() throws Exception {
        if (storage.equals("s3")) {
            s3 = S3ProxyServer.start(s3dir, false);
            registry = TestRegistry.s3(s3, "spec-" + (++buckets), "  redirect:\n    disable: true\n");
        } else {
            registry = TestRegistry.inMemory("");
        }
    }

    @AfterParameterizedClassInvocation
    void stop() throws Exception {
        registry.close();
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void baseEndpointAnswers200WithApiVersion() throws Exception {
        HttpResponse<byte[]> r = registry.get("/v2/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Docker-Distribution-API-Version")).hasValue("registry/2.0");
        assertThat(new String(r.body(), UTF_8)).isEqualTo("{}");
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Pull {
        final byte[] layer = randomBytes(200_000, 1);
        byte[] manifest;

        @BeforeAll
        void push() throws Exception {
            manifest = registry.pushImage("pull/app", "v1", layer);
        }

        @Test
        void manifestByTagAndByDigest() throws Exception {
            Digest digest = Digest.sha256(manifest);
            HttpResponse<byte[]> byTag = registry.get("/v2/pull/app/manifests/v1", "Accept", OCI_MANIFEST);
            assertThat(byTag.statusCode()).isEqualTo(200);
            assertThat(byTag.body()).isEqualTo(manifest);
            assertThat(byTag.headers().firstValue("Content-Type")).hasValue(OCI_MANIFEST);
            assertThat(byTag.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
            HttpResponse<byte[]> byDigest = registry.get("/v2/pull/app/manifests/" + digest);
            assertThat(byDigest.statusCode()).isEqualTo(200);
            assertThat(byDigest.body()).isEqualTo(manifest);
        }

        @Test
        void headManifestHasHeadersButNoBody() throws Exception {
            HttpResponse<byte[]> r = registry.head("/v2/pull/app/manifests/v1");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEmpty();
            assertThat(r.headers().firstValue("Content-Length")).hasValue(Integer.toString(manifest.length));
            assertThat(r.headers().firstValue("Docker-Content-Digest")).hasValue(Digest.sha256(manifest).toString());
        }

        @Test
        void blobGetAndHead() throws Exception {
            Digest d = Digest.sha256(layer);
            HttpResponse<byte[]> get = registry.get("/v2/pull/app/blobs/" + d);
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.body()).isEqualTo(layer);
            assertThat(get.headers().firstValue("Docker-Content-Digest")).hasValue(d.toString());
            HttpResponse<byte[]> head = registry.head("/v2/pull/app/blobs/" + d);
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValue("Content-Length")).hasValue(Integer.toString(layer.length));
            assertThat(head.body()).isEmpty();
        }

        @Test
        void blobRanges() throws Exception {
            Digest d = Digest.sha256(layer);
            HttpResponse<byte[]> r = registry.get("/v2/pull/app/blobs/" + d, "Range", "bytes=10-19");
            assertThat(r.statusCode()).isEqualTo(206);
            assertThat(r.body()).isEqualTo(Arrays.copyOfRange(layer, 10, 20));
            assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes 10-19/" + layer.length);
            HttpResponse<byte[]> open = registry.get("/v2/pull/app/blobs/" + d, "Range", "bytes=199990-");
            assertThat(open.body()).isEqualTo(Arrays.copyOfRange(layer, 199_990, 200_000));
            HttpResponse<byte[]> suffix = registry.get("/v2/pull/app/blobs/" + d, "Range", "bytes=-5");
            assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(layer, 199_995, 200_000));
            HttpResponse<byte[]> beyond = registry.get("/v2/pull/app/blobs/" + d, "Range", "bytes=200000-");
            assertError(beyond, 416, "RANGE_INVALID");
            assertThat(beyond.headers().firstValue("Content-Range")).hasValue("bytes */200000");
        }

        @Test
        void unknownContentIs404() throws Exception {
            Digest missing = Digest.sha256("nope".getBytes(UTF_8));
            assertError(registry.get("/v2/pull/app/blobs/" + missing), 404, "BLOB_UNKNOWN");
            assertError(registry.get("/v2/pull/app/manifests/" + missing), 404, "MANIFEST_UNKNOWN");
            assertError(registry.get("/v2/pull/app/manifests/nosuchtag"), 404, "MANIFEST_UNKNOWN");
            assertThat(registry.head("/v2/pull/app/blobs/" + missing).statusCode()).isEqualTo(404);
        }

        @Test
        void blobsAreVisibleOnlyInRepositoriesThatLinkThem() throws Exception {
            Digest d = Digest.sha256(layer);
            assertError(registry.get("/v2/pull/other/blobs/" + d), 404, "BLOB_UNKNOWN");
        }
    }

    @Nested
    class Push {
        @Test
        void postThenPutMonolithic() throws Exception {
            byte[] content = randomBytes(70_000, 2);
            Digest d = registry.pushBlob("push/mono", content);
            assertThat(registry.get("/v2/push/mono/blobs/" + d).body()).isEqualTo(content);
        }

        @Test
        void singlePostWithDigest() throws Exception {
            byte[] content = randomBytes(50_000, 3);
            Digest d = Digest.sha256(content);
            HttpResponse<byte[]> r = registry.send(registry.request("/v2/push/single/blobs/uploads/?digest=" + d)
                    .header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(content)));
            assertThat(r.statusCode()).isEqualTo(201);
            assertThat(r.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/v2/push/single/blobs/" + d));
            assertThat(r.headers().firstValue("Docker-Content-Digest")).hasValue(d.toString());
            assertThat(registry.get("/v2/push/single/blobs/" + d).body()).isEqualTo(content);
        }

        @Test
        void chunkedUploadWithStatusChecks() throws Exception {
            byte[] content = randomBytes(300_000, 4);
            String location = registry.startUpload("push/chunked");
            int[] cuts = {0, 100_000, 250_000, 300_000};
            for (int i = 0; i < 3; i++) {
                byte[] chunk = Arrays.copyOfRange(content, cuts[i], cuts[i + 1]);
                HttpResponse<byte[]> patch = registry.send(registry.request(location)
                        .header("Content-Type", "application/octet-stream")
                        .header("Content-Range", cuts[i] + "-" + (cuts[i + 1] - 1))
                        .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(chunk)));
                assertThat(patch.statusCode()).isEqualTo(202);
                assertThat(patch.headers().firstValue("Range")).hasValue("0-" + (cuts[i + 1] - 1));
                location = patch.headers().firstValue("Location").orElseThrow();
                HttpResponse<byte[]> status = registry.get(location);
                assertThat(status.statusCode()).isEqualTo(204);
                assertThat(status.headers().firstValue("Range")).hasValue("0-" + (cuts[i + 1] - 1));
            }
            Digest d = Digest.sha256(content);
            HttpResponse<byte[]> put = registry.send(registry.request(withQuery(location, "digest=" + d))
                    .PUT(HttpRequest.BodyPublishers.noBody()));
            assertThat(put.statusCode()).isEqualTo(201);
            assertThat(registry.get("/v2/push/chunked/blobs/" + d).body()).isEqualTo(content);
            assertError(registry.get(location), 404, "BLOB_UPLOAD_UNKNOWN");
        }

        @Test
        void streamedPatchWithoutContentRangeThenFinalChunkInPut() throws Exception {
            byte[] content = randomBytes(90_000, 5);
            String location = registry.startUpload("push/stream");
            HttpResponse<byte[]> patch = registry.send(registry.request(location)
                    .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOf(content, 60_000))));
            assertThat(patch.statusCode()).isEqualTo(202);
            Digest d = Digest.sha256(content);
            HttpResponse<byte[]> put = registry.send(registry.request(withQuery(
                    patch.headers().firstValue("Location").orElseThrow(), "digest=" + d))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(content, 60_000, 90_000))));
            assertThat(put.statusCode()).isEqualTo(201);
            assertThat(registry.get("/v2/push/stream/blobs/" + d).body()).isEqualTo(content);
        }

        @Test
        void emptyBlob() throws Exception {
            Digest d = registry.pushBlob("push/empty", new byte[0]);
            assertThat(d.toString()).isEqualTo("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
            HttpResponse<byte[]> r = registry.get("/v2/push/empty/blobs/" + d);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEmpty();
        }

        @Test
        void crossRepositoryMount() throws Exception {
            byte[] content = randomBytes(10_000, 6);
            Digest d = registry.pushBlob("push/source", content);
            HttpResponse<byte[]> mount = registry.send(registry.request(
                    "/v2/push/target/blobs/uploads/?mount=" + d + "&from=push/source").POST(HttpRequest.BodyPublishers.noBody()));
            assertThat(mount.statusCode()).isEqualTo(201);
            assertThat(mount.headers().firstValue("Docker-Content-Digest")).hasValue(d.toString());
            assertThat(registry.get("/v2/push/target/blobs/" + d).body()).isEqualTo(content);
            Digest unknown = Digest.sha256("unknown".getBytes(UTF_8));
            HttpResponse<byte[]> fallback = registry.send(registry.request(
                    "/v2/push/target/blobs/uploads/?mount=" + unknown + "&from=push/source").POST(HttpRequest.BodyPublishers.noBody()));
            assertThat(fallback.statusCode()).isEqualTo(202);
            assertThat(fallback.headers().firstValue("Location")).isPresent();
        }

        @Test
        void manifestPutByDigestAndIndexOfChildren() throws Exception {
            byte[] amd = registry.pushImage("push/multi", "amd64", randomBytes(1000, 7));
            byte[] arm = registry.pushImage("push/multi", "arm64", randomBytes(1000, 8));
            String index = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":["
                    + descriptor(OCI_MANIFEST, Digest.sha256(amd), amd.length).replace("}", ",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}")
                    + "," + descriptor(OCI_MANIFEST, Digest.sha256(arm), arm.length).replace("}", ",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}}")
                    + "]}";
            byte[] bytes = index.getBytes(UTF_8);
            Digest d = Digest.sha256(bytes);
            HttpResponse<byte[]> put = registry.putManifest("push/multi", d.toString(), bytes, OCI_INDEX);
            assertThat(put.statusCode()).isEqualTo(201);
            assertThat(put.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/v2/push/multi/manifests/" + d));
            assertThat(registry.putManifest("push/multi", "latest", bytes, OCI_INDEX).statusCode()).isEqualTo(201);
            HttpResponse<byte[]> get = registry.get("/v2/push/multi/manifests/latest", "Accept", OCI_INDEX + ", " + OCI_MANIFEST);
            assertThat(get.body()).isEqualTo(bytes);
            assertThat(get.headers().firstValue("Content-Type")).hasValue(OCI_INDEX);
        }

        @Test
        void retaggingMovesTheTag() throws Exception {
            byte[] first = registry.pushImage("push/retag", "latest", randomBytes(100, 9));
            byte[] second = registry.pushImage("push/retag", "latest", randomBytes(100, 10));
            assertThat(registry.get("/v2/push/retag/manifests/latest").body()).isEqualTo(second);
            assertThat(registry.get("/v2/push/retag/manifests/" + Digest.sha256(first)).statusCode()).isEqualTo(200);
        }
    }

    @Nested
    class Discovery {
        @Test
        void tagsListWithPagination() throws Exception {
            byte[] manifest = registry.pushImage("disc/tags", "a", randomBytes(10, 11));
            for (String tag : List.of("c", "b", "d")) {
                assertThat(registry.putManifest("disc/tags", tag, manifest, OCI_MANIFEST).statusCode()).isEqualTo(201);
            }
            JsonNode all = json(registry.get("/v2/disc/tags/tags/list"));
            assertThat(all.path("name").asText()).isEqualTo("disc/tags");
            assertThat(texts(all.path("tags"))).containsExactly("a", "b", "c", "d");
            HttpResponse<byte[]> first = registry.get("/v2/disc/tags/tags/list?n=2");
            assertThat(texts(json(first).path("tags"))).containsExactly("a", "b");
            assertThat(first.headers().firstValue("Link")).hasValue("</v2/disc/tags/tags/list?last=b&n=2>; rel=\"next\"");
            HttpResponse<byte[]> second = registry.get("/v2/disc/tags/tags/list?n=2&last=b");
            assertThat(texts(json(second).path("tags"))).containsExactly("c", "d");
            assertThat(second.headers().firstValue("Link")).isEmpty();
            assertError(registry.get("/v2/disc/none/tags/list"), 404, "NAME_UNKNOWN");
        }

        @Test
        void catalogWithPagination() throws Exception {
            for (String repo : List.of("cat/zeta", "cat/alpha", "cat/alpha/nested")) {
                registry.pushImage(repo, "t", randomBytes(10, repo.hashCode()));
            }
            List<String> names = texts(json(registry.get("/v2/_catalog")).path("repositories"));
            assertThat(names).contains("cat/alpha", "cat/alpha/nested", "cat/zeta").isSorted();
            HttpResponse<byte[]> page = registry.get("/v2/_catalog?n=1&last=cat/alpha");
            assertThat(texts(json(page).path("repositories"))).containsExactly("cat/alpha/nested");
            assertThat(page.headers().firstValue("Link")).hasValueSatisfying(l -> assertThat(l).contains("last=cat%2Falpha%2Fnested"));
        }

        @Test
        void referrersOfASubject() throws Exception {
            byte[] subject = registry.pushImage("disc/ref", "v1", randomBytes(10, 12));
            Digest subjectDigest = Digest.sha256(subject);
            byte[] empty = "{}".getBytes(UTF_8);
            Digest emptyDigest = registry.pushBlob("disc/ref", empty);
            List<Digest> referrers = new ArrayList<>();
            for (String type : List.of("application/vnd.example.sbom", "application/vnd.example.signature")) {
                String artifact = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"artifactType\":\"" + type
                        + "\",\"config\":" + descriptor("application/vnd.oci.empty.v1+json", emptyDigest, 2)
                        + ",\"layers\":[],\"subject\":" + descriptor(OCI_MANIFEST, subjectDigest, subject.length)
                        + ",\"annotations\":{\"org.example\":\"" + type + "\"}}";
                byte[] bytes = artifact.getBytes(UTF_8);
                HttpResponse<byte[]> put = registry.putManifest("disc/ref", Digest.sha256(bytes).toString(), bytes, OCI_MANIFEST);
                assertThat(put.statusCode()).isEqualTo(201);
                assertThat(put.headers().firstValue("OCI-Subject")).hasValue(subjectDigest.toString());
                referrers.add(Digest.sha256(bytes));
            }
            HttpResponse<byte[]> all = registry.get("/v2/disc/ref/referrers/" + subjectDigest);
            assertThat(all.statusCode()).isEqualTo(200);
            assertThat(all.headers().firstValue("Content-Type")).hasValue(OCI_INDEX);
            JsonNode index = json(all);
            assertThat(index.path("schemaVersion").asInt()).isEqualTo(2);
            assertThat(index.path("manifests")).hasSize(2);
            assertThat(index.path("manifests").findValuesAsText("digest"))
                    .containsExactlyInAnyOrderElementsOf(referrers.stream().map(Digest::toString).toList());
            HttpResponse<byte[]> filtered = registry.get("/v2/disc/ref/referrers/" + subjectDigest
                    + "?artifactType=application/vnd.example.sbom");
            assertThat(filtered.headers().firstValue("OCI-Filters-Applied")).hasValue("artifactType");
            JsonNode only = json(filtered).path("manifests");
            assertThat(only).hasSize(1);
            assertThat(only.get(0).path("artifactType").asText()).isEqualTo("application/vnd.example.sbom");
            assertThat(only.get(0).path("annotations").path("org.example").asText()).isEqualTo("application/vnd.example.sbom");
            JsonNode none = json(registry.get("/v2/disc/ref/referrers/" + Digest.sha256("x".getBytes(UTF_8))));
            assertThat(none.path("manifests")).isEmpty();
        }
    }

    @Nested
    class Management {
        @Test
        void deleteTagKeepsManifest() throws Exception {
            byte[] m = registry.pushImage("mgmt/tag", "gone", randomBytes(10, 13));
            assertThat(registry.delete("/v2/mgmt/tag/manifests/gone").statusCode()).isEqualTo(202);
            assertError(registry.get("/v2/mgmt/tag/manifests/gone"), 404, "MANIFEST_UNKNOWN");
            assertThat(registry.get("/v2/mgmt/tag/manifests/" + Digest.sha256(m)).statusCode()).isEqualTo(200);
        }

        @Test
        void deleteManifestRemovesItsTags() throws Exception {
            byte[] m = registry.pushImage("mgmt/manifest", "v1", randomBytes(10, 14));
            Digest d = Digest.sha256(m);
            assertThat(registry.delete("/v2/mgmt/manifest/manifests/" + d).statusCode()).isEqualTo(202);
            assertError(registry.get("/v2/mgmt/manifest/manifests/" + d), 404, "MANIFEST_UNKNOWN");
            assertError(registry.get("/v2/mgmt/manifest/manifests/v1"), 404, "MANIFEST_UNKNOWN");
            assertThat(texts(json(registry.get("/v2/mgmt/manifest/tags/list")).path("tags"))).isEmpty();
            assertError(registry.delete("/v2/mgmt/manifest/manifests/" + d), 404, "MANIFEST_UNKNOWN");
        }

        @Test
        void deleteBlob() throws Exception {
            Digest d = registry.pushBlob("mgmt/blob", randomBytes(100, 15));
            assertThat(registry.delete("/v2/mgmt/blob/blobs/" + d).statusCode()).isEqualTo(202);
            assertError(registry.get("/v2/mgmt/blob/blobs/" + d), 404, "BLOB_UNKNOWN");
            assertError(registry.delete("/v2/mgmt/blob/blobs/" + d), 404, "BLOB_UNKNOWN");
        }

        @Test
        void cancelUpload() throws Exception {
            String location = registry.startUpload("mgmt/upload");
            assertThat(registry.delete(location).statusCode()).isEqualTo(204);
            assertError(registry.get(location), 404, "BLOB_UPLOAD_UNKNOWN");
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
