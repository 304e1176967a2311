package io.hoard.server;

import static io.hoard.server.TestRegistry.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.model.Digest;
import io.hoard.testing.S3ProxyServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The object store going away under a running registry: requests that need it get {@code 503
 * UNAVAILABLE} with a V2 error once the SDK's bounded retries are spent, nothing half-written
 * becomes visible, and everything works again when the store is back.
 */
final class StorageOutageTest {
    @TempDir
    Path dir;

    @Test
    void aStoreOutageIsA503AndLeavesNothingHalfWritten() throws Exception {
        Path data = Files.createDirectories(dir.resolve("s3"));
        int port = io.hoard.server.it.Distribution.freePort();
        S3ProxyServer s3 = S3ProxyServer.start(data, false, port); // on disk: it comes back with its data
        s3.createBucket("outage");
        try (TestRegistry registry = TestRegistry.s3(s3, "outage", "  redirect:\n    disable: true\n"
                + "  cache:\n    blobdescriptorsize: 0\n")) {
            byte[] blob = randomBytes(100_000, 61);
            Digest stored = registry.pushBlob("team/app", blob);
            String location = registry.startUpload("team/app");

            s3.close();
            HttpResponse<byte[]> get = registry.get("/v2/team/app/blobs/" + stored);
            TestRegistry.assertError(get, 503, "UNAVAILABLE");
            assertThat(new String(get.body())).contains("storage unavailable");
            byte[] other = randomBytes(50_000, 62);
            Digest half = Digest.sha256(other);
            HttpResponse<byte[]> put = registry.send(registry.request(TestRegistry.withQuery(location, "digest=" + half))
                    .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(other)));
            TestRegistry.assertError(put, 503, "UNAVAILABLE");

            s3 = S3ProxyServer.start(data, false, port);
            HttpResponse<byte[]> again = registry.get("/v2/team/app/blobs/" + stored);
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(again.body()).isEqualTo(blob);
            assertThat(registry.head("/v2/team/app/blobs/" + half).statusCode()).isEqualTo(404);
        } finally {
            s3.close();
        }
    }
}
