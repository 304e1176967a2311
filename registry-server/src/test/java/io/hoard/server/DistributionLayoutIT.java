package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.server.it.Command;
import io.hoard.server.it.Distribution;
import io.hoard.server.it.OciLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hoard and CNCF distribution (Debian's docker-registry, 2.8) read each other's data directory:
 * an operator can point Hoard at an existing registry:2 volume and keep it.
 */
@Timeout(300)
final class DistributionLayoutIT {
    @TempDir
    Path work;

    @Test
    void hoardServesDistributionDataAndBack() throws Exception {
        Command.require("docker-registry");
        Command.require("skopeo");
        Path distributionDir = work.resolve("distribution");
        Path root = distributionDir.resolve("data"); // where Distribution keeps its data
        OciLayout layout = new OciLayout(work.resolve("src"));
        OciLayout.Blob first = layout.image("linux", "amd64", 2, 300_000, 21);
        OciLayout.Blob second = layout.image("linux", "amd64", 2, 300_000, 22);
        layout.tag(first, "first").tag(second, "second").write();

        try (Distribution distribution = Distribution.start(distributionDir)) {
            Command.skopeo("copy", "--dest-tls-verify=false", "oci:" + work.resolve("src") + ":first",
                    "docker://" + distribution.host() + "/compat/app:first");
        }
        try (TestRegistry hoard = TestRegistry.filesystem(root, "")) {
            var r = hoard.get("/v2/compat/app/manifests/first", "Accept", OciLayout.MANIFEST);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Docker-Content-Digest")).hasValue(first.digest().toString());
            String hoardHost = "127.0.0.1:" + hoard.app.address().getPort();
            Command.skopeo("copy", "--src-tls-verify=false", "docker://" + hoardHost + "/compat/app:first",
                    "oci:" + work.resolve("from-hoard") + ":first");
            assertThat(work.resolve("from-hoard/blobs/sha256/" + first.digest().hex())).exists();
            Command.skopeo("copy", "--dest-tls-verify=false", "oci:" + work.resolve("src") + ":second",
                    "docker://" + hoardHost + "/compat/app:second");
            assertThat(TestRegistry.json(hoard.get("/v2/_catalog")).path("repositories").get(0).asText())
                    .isEqualTo("compat/app");
        }
        try (Distribution distribution = Distribution.start(distributionDir)) {
            Command.skopeo("copy", "--src-tls-verify=false", "docker://" + distribution.host() + "/compat/app:second",
                    "oci:" + work.resolve("from-distribution") + ":second");
            assertThat(work.resolve("from-distribution/blobs/sha256/" + second.digest().hex())).exists();
            String tags = Command.skopeo("list-tags", "--tls-verify=false", "docker://" + distribution.host() + "/compat/app").stdout();
            assertThat(tags).contains("\"first\"").contains("\"second\"");
        }
    }

    /** The same on S3: a bucket written by distribution's s3 driver is served by Hoard's, and back. */
    @Test
    void hoardServesADistributionBucketAndBack() throws Exception {
        Command.require("docker-registry");
        Command.require("skopeo");
        OciLayout layout = new OciLayout(work.resolve("src"));
        OciLayout.Blob first = layout.image("linux", "amd64", 2, 300_000, 23);
        OciLayout.Blob second = layout.image("linux", "amd64", 2, 6 * 1024 * 1024, 24);
        layout.tag(first, "first").tag(second, "second").write();
        try (io.hoard.testing.S3ProxyServer s3 = io.hoard.testing.S3ProxyServer.start(
                java.nio.file.Files.createDirectories(work.resolve("s3")), false)) {
            String section = TestRegistry.s3Section(s3, "shared");
            s3.createBucket("shared");
            try (Distribution distribution = Distribution.withStorage(work.resolve("distribution"), section)) {
                Command.skopeo("copy", "--dest-tls-verify=false", "oci:" + work.resolve("src") + ":first",
                        "docker://" + distribution.host() + "/compat/app:first");
            }
            try (TestRegistry hoard = TestRegistry.withHttp("  secret: s\n", "storage:\n" + section
                    + "  redirect:\n    disable: true\n")) {
                var r = hoard.get("/v2/compat/app/manifests/first", "Accept", OciLayout.MANIFEST);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("Docker-Content-Digest")).hasValue(first.digest().toString());
                String hoardHost = "127.0.0.1:" + hoard.app.address().getPort();
                Command.skopeo("copy", "--src-tls-verify=false", "docker://" + hoardHost + "/compat/app:first",
                        "oci:" + work.resolve("from-hoard") + ":first");
                assertThat(work.resolve("from-hoard/blobs/sha256/" + first.digest().hex())).exists();
                Command.skopeo("copy", "--dest-tls-verify=false", "oci:" + work.resolve("src") + ":second",
                        "docker://" + hoardHost + "/compat/app:second");
            }
            try (Distribution distribution = Distribution.withStorage(work.resolve("distribution"), section)) {
                Command.skopeo("copy", "--src-tls-verify=false", "docker://" + distribution.host() + "/compat/app:second",
                        "oci:" + work.resolve("from-distribution") + ":second");
                assertThat(work.resolve("from-distribution/blobs/sha256/" + second.digest().hex())).exists();
            }
        }
    }
}
