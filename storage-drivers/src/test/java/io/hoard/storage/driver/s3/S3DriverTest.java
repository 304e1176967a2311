package io.hoard.storage.driver.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hoard.storage.driver.FileWriter;
import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StorageDriverContract;
import io.hoard.testing.S3ProxyServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The driver contract against S3Proxy, plus what only S3 has: multipart parts, server-side copies, redirects. */
final class S3DriverTest extends StorageDriverContract {
    static S3ProxyServer server;
    private static int buckets;

    @BeforeAll
    static void s3() throws Exception {
        server = S3ProxyServer.shared();
    }

    /** A fresh bucket per test; a root directory as distribution configurations often have. */
    @Override
    protected StorageDriver newDriver(Path scratch) {
        String bucket = "bucket-" + (++buckets);
        server.createBucket(bucket);
        return new S3DriverFactory().create(params(bucket));
    }

    private static Map<String, Object> params(String bucket) {
        Map<String, Object> p = new HashMap<>(server.parameters(bucket, "/registry"));
        p.put("chunksize", 5 * 1024 * 1024);
        p.put("multipartcopychunksize", 5 * 1024 * 1024);
        p.put("multipartcopythresholdsize", 5 * 1024 * 1024);
        return p;
    }

    @Test
    void keysAreLaidOutAsDistributionLaysThemOut() throws IOException {
        driver.putContent("/docker/registry/v2/blobs/x", "1".getBytes(UTF_8));
        String bucket = "bucket-" + buckets;
        assertThat(server.blobStore().blobExists(bucket, "registry/docker/registry/v2/blobs/x")).isTrue();
        driver.delete("/docker");
    }

    @Test
    void bigWritesAreMultipartAndAppendsCopyServerSide() throws IOException {
        byte[] data = new byte[13 * 1024 * 1024 + 7];
        new Random(1).nextBytes(data);
        int half = 6 * 1024 * 1024 + 3;
        try (FileWriter w = driver.writer("/t/big", false)) {
            w.write(ByteBuffer.wrap(data, 0, half));
        } // closed, not committed: a later request continues it
        FileWriter again = driver.writer("/t/big", true);
        assertThat(again.size()).isEqualTo(half);
        again.write(ByteBuffer.wrap(data, half, data.length - half));
        again.commit();
        assertThat(driver.getContent("/t/big")).isEqualTo(data);
        driver.move("/t/big", "/t/moved"); // above the copy threshold: a multipart copy
        assertThat(driver.getContent("/t/moved")).isEqualTo(data);
        assertThat(driver.list("/t")).containsExactly("/t/moved");
        driver.delete("/t");
    }

    @Test
    void importFileUploadsLargeFilesInParts() throws IOException {
        byte[] data = new byte[11 * 1024 * 1024];
        new Random(2).nextBytes(data);
        Path local = Files.write(scratch.resolve("spool"), data);
        driver.importFile(local, "/t/imported");
        assertThat(local).doesNotExist();
        assertThat(driver.getContent("/t/imported")).isEqualTo(data);
        driver.delete("/t");
    }

    @Test
    void redirectUrlServesTheObjectWithoutCredentials() throws Exception {
        driver.putContent("/t/r", "direct".getBytes(UTF_8));
        URI url = driver.redirectUrl("/t/r").orElseThrow();
        HttpResponse<String> got = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo("direct");
        driver.delete("/t");
    }

    @Test
    void deletesManyObjectsInBatches() throws IOException {
        for (int i = 0; i < 1002; i++) {
            driver.putContent("/t/many/" + i, new byte[0]);
        }
        assertThat(driver.list("/t/many")).hasSize(1002);
        driver.delete("/t");
        assertThat(driver.list("/")).isEmpty();
    }

    @Test
    void aCaBundleIsReadOrRefusedNamingTheVariable() throws IOException {
        Path system = Path.of("/etc/ssl/certs/ca-certificates.crt");
        if (Files.exists(system)) {
            assertThat(S3Clients.trustManagers(system)).isNotEmpty();
        }
        Path empty = Files.writeString(scratch.resolve("empty.pem"), "no certificates here\n");
        assertThatThrownBy(() -> S3Clients.trustManagers(empty)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("AWS_CA_BUNDLE");
        assertThatThrownBy(() -> S3Clients.trustManagers(scratch.resolve("missing.pem")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("AWS_CA_BUNDLE");
    }

    @Test
    void wrongCredentialsFailAtCreationNamingTheSetting() {
        Map<String, Object> p = new HashMap<>(params("bucket-" + buckets));
        p.put("secretkey", "wrong");
        assertThatThrownBy(() -> new S3DriverFactory().create(p)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("storage.s3").hasMessageContaining("secretkey");
    }

    @Test
    void missingBucketFailsAtCreationNamingTheBucket() {
        assertThatThrownBy(() -> new S3DriverFactory().create(params("no-such-bucket")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storage.s3.bucket")
                .hasMessageContaining("no-such-bucket");
    }

    @Test
    void unreachableEndpointFailsAtCreationNamingTheEndpoint() throws IOException {
        int closedPort;
        try (var s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Map<String, Object> p = new HashMap<>(params("bucket-" + buckets));
        p.put("regionendpoint", "http://127.0.0.1:" + closedPort);
        assertThatThrownBy(() -> new S3DriverFactory().create(p)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("regionendpoint");
    }
}
