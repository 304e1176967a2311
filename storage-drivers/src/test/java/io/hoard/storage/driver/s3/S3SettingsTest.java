package io.hoard.storage.driver.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** storage.s3 with distribution's defaults, and a message naming the key for every bad value. */
final class S3SettingsTest {
    private static Map<String, Object> minimal() {
        Map<String, Object> p = new HashMap<>();
        p.put("region", "us-east-1");
        p.put("bucket", "registry");
        return p;
    }

    @Test
    void defaultsAreDistributions() {
        S3Settings s = S3Settings.parse(minimal());
        assertThat(s.accessKey()).isEmpty();
        assertThat(s.endpoint()).isEmpty();
        assertThat(s.pathStyle()).isFalse();
        assertThat(s.rootDirectory()).isEmpty();
        assertThat(s.v4auth()).isTrue();
        assertThat(s.chunkSize()).isEqualTo(10L * 1024 * 1024);
        assertThat(s.multipartCopyChunkSize()).isEqualTo(32L * 1024 * 1024);
        assertThat(s.multipartCopyMaxConcurrency()).isEqualTo(100);
        assertThat(s.multipartCopyThresholdSize()).isEqualTo(32L * 1024 * 1024);
        assertThat(s.storageClass()).hasValue("STANDARD");
        assertThat(s.objectAcl()).isEmpty();
    }

    @Test
    void anEndpointMeansPathStyleAndABareHostFollowsSecure() {
        Map<String, Object> p = minimal();
        p.put("regionendpoint", "minio.internal:9000");
        p.put("secure", "false");
        p.put("rootdirectory", "/registry/");
        p.put("storageclass", "nostorageclass");
        S3Settings s = S3Settings.parse(p);
        assertThat(s.endpoint()).hasValue(URI.create("http://minio.internal:9000"));
        assertThat(s.pathStyle()).isTrue();
        assertThat(s.rootDirectory()).isEqualTo("registry");
        assertThat(s.storageClass()).isEqualTo(Optional.empty());
        p.put("forcepathstyle", false);
        assertThat(S3Settings.parse(p).pathStyle()).isFalse();
    }

    @Test
    void badValuesNameTheirKey() {
        assertBad("region", null, "storage.s3.region");
        assertBad("bucket", null, "storage.s3.bucket");
        assertBad("chunksize", 1024, "storage.s3.chunksize");
        assertBad("chunksize", "ten", "storage.s3.chunksize");
        assertBad("multipartcopymaxconcurrency", 0, "storage.s3.multipartcopymaxconcurrency");
        assertBad("storageclass", "GLACIER", "storage.s3.storageclass");
        assertBad("v4auth", "maybe", "storage.s3.v4auth");
        assertBad("regionendpoint", "ftp://x", "storage.s3.regionendpoint");
        assertBad("accesskey", "only-one-half", "storage.s3.accesskey");
    }

    private static void assertBad(String key, Object value, String named) {
        Map<String, Object> p = minimal();
        if (value == null) {
            p.remove(key);
        } else {
            p.put(key, value);
        }
        assertThatThrownBy(() -> S3Settings.parse(p)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(named);
    }
}
