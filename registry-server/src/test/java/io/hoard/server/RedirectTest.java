package io.hoard.server;

import static io.hoard.server.TestRegistry.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.model.Digest;
import io.hoard.testing.S3ProxyServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code storage.redirect} on the s3 driver (distribution's default: redirect): stored blobs are
 * fetched from the object store through a presigned URL; HEADs and blobs still being filled from
 * an upstream are answered by Hoard.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class RedirectTest {
    @TempDir
    static Path s3dir;
    S3ProxyServer s3;
    TestRegistry upstream;
    TestRegistry direct;
    TestRegistry cache;
    final HttpClient plain = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        s3 = S3ProxyServer.start(s3dir, false);
        upstream = TestRegistry.inMemory("");
        direct = TestRegistry.s3(s3, "direct", "");
        cache = TestRegistry.s3(s3, "cache", "proxy:\n  remoteurl: " + upstream.base + "\n");
    }

    @AfterAll
    void stop() throws Exception {
        cache.close();
        direct.close();
        upstream.close();
        s3.close();
    }

    @Test
    void storedBlobsRedirectToTheObjectStore() throws Exception {
        byte[] layer = randomBytes(300_000, 7);
        Digest digest = direct.pushBlob("team/app", layer);
        HttpResponse<byte[]> get = direct.get("/v2/team/app/blobs/" + digest);
        assertThat(get.statusCode()).isEqualTo(307);
        assertThat(get.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        URI location = URI.create(get.headers().firstValue("Location").orElseThrow());
        assertThat(location.toString()).startsWith(s3.endpoint() + "/direct/registry/docker/registry/v2/blobs/sha256/");
        HttpResponse<byte[]> fromStore = plain.send(HttpRequest.newBuilder(location).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(fromStore.statusCode()).isEqualTo(200);
        assertThat(Digest.sha256(fromStore.body())).isEqualTo(digest);
        HttpResponse<byte[]> ranged = plain.send(HttpRequest.newBuilder(location).header("Range", "bytes=10-19").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(ranged.statusCode()).isEqualTo(206);
        assertThat(ranged.body()).containsExactly(java.util.Arrays.copyOfRange(layer, 10, 20));

        HttpResponse<byte[]> head = direct.head("/v2/team/app/blobs/" + digest);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(layer.length);
    }

    @Test
    void aMissingBucketStopsTheStartWithOneLineNamingIt() {
        String yaml = "storage:\n" + TestRegistry.s3Section(s3, "nobody-made-this");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestRegistry.withHttp("  secret: s\n", yaml))
                .isInstanceOf(io.hoard.config.ConfigException.class)
                .hasMessageContaining("storage.s3.bucket").hasMessageContaining("nobody-made-this")
                .hasMessageNotContaining("\n");
    }

    @Test
    void blobsOfOtherRepositoriesAreNotRedirected() throws Exception {
        Digest digest = direct.pushBlob("team/one", randomBytes(1000, 8));
        TestRegistry.assertError(direct.get("/v2/team/other/blobs/" + digest), 404, "BLOB_UNKNOWN");
    }

    @Test
    void aCacheMissStreamsFromHoardThenRedirectsOnceStored() throws Exception {
        byte[] layer = randomBytes(2_000_000, 9);
        byte[] manifest = upstream.pushImage("library/tool", "1", layer);
        Digest digest = Digest.sha256(layer);
        HttpResponse<byte[]> first = cache.get("/v2/library/tool/blobs/" + digest);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(Digest.sha256(first.body())).isEqualTo(digest);
        HttpResponse<byte[]> again = null;
        for (int i = 0; i < 100; i++) { // the fill commits to the bucket just after the last byte
            again = cache.get("/v2/library/tool/blobs/" + digest);
            if (again.statusCode() == 307) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(again.statusCode()).isEqualTo(307);
        HttpResponse<byte[]> fromStore = plain.send(HttpRequest.newBuilder(
                URI.create(again.headers().firstValue("Location").orElseThrow())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(Digest.sha256(fromStore.body())).isEqualTo(digest);
        assertThat(manifest).isNotEmpty();
    }
}
