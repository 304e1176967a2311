package io.hoard.storage.driver.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StorageDriverContract;
import io.hoard.testing.S3ProxyServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code v4auth: false} against an S3Proxy that accepts only signature version 2, as old Riak CS
 * does: the whole driver contract, and presigned redirect URLs.
 */
final class S3DriverV2SignatureTest extends StorageDriverContract {
    @TempDir
    static Path s3dir;
    static S3ProxyServer server;
    private static int buckets;

    @BeforeAll
    static void startS3() throws Exception {
        server = S3ProxyServer.start(s3dir, true);
    }

    @AfterAll
    static void stopS3() throws Exception {
        server.close();
    }

    @Override
    protected StorageDriver newDriver(Path scratch) {
        String bucket = "v2-bucket-" + (++buckets);
        server.createBucket(bucket);
        return new S3DriverFactory().create(params(bucket, false));
    }

    private static Map<String, Object> params(String bucket, boolean v4) {
        Map<String, Object> p = new HashMap<>(server.parameters(bucket, ""));
        p.put("v4auth", v4);
        p.put("chunksize", "5242880"); // as an environment override gives it
        p.put("multipartcopythresholdsize", 5 * 1024 * 1024);
        return p;
    }

    @Test
    void presignedUrlsUseVersion2() throws Exception {
        driver.putContent("/t/r", "v2".getBytes(UTF_8));
        URI url = driver.redirectUrl("/t/r").orElseThrow();
        assertThat(url.getQuery()).contains("AWSAccessKeyId=").contains("Signature=").contains("Expires=");
        HttpResponse<String> got = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(got.body()).isEqualTo("v2");
        driver.delete("/t");
    }

    @Test
    void version4IsRefusedByThisStoreAtCreation() {
        String bucket = "v2-bucket-" + buckets;
        assertThatThrownBy(() -> new S3DriverFactory().create(params(bucket, true)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("v4auth");
    }
}
