package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.model.Digest;
import io.hoard.server.it.Command;
import io.hoard.server.it.Dockerd;
import io.hoard.server.it.OciLayout;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients against Hoard: a private dockerd pushes and pulls (multi-layer image made from
 * busybox-static, no Docker Hub), skopeo copies OCI images and a multi-arch index through it, and
 * podman pulls and pushes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
final class RealClientsIT {
    @TempDir
    static Path work;

    private TestRegistry registry;
    private Dockerd dockerd;
    private String host;

    @BeforeAll
    void start() throws Exception {
        Command.require("skopeo");
        registry = TestRegistry.filesystem(work.resolve("registry"), "");
        host = "127.0.0.1:" + registry.app.address().getPort();
        dockerd = Dockerd.start("{\"insecure-registries\": [\"" + host + "\"]}");
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (dockerd != null) {
                dockerd.close();
            }
        } finally {
            if (registry != null) {
                registry.close();
            }
        }
    }

    @Test
    void dockerPushRmiPullKeepsDigestAndContent() throws Exception {
        String base = host + "/it/busybox:1";
        String image = host + "/it/app:1";
        byte[] payload = TestRegistry.randomBytes(3_000_000, 42);
        String payloadHex = Digest.sha256(payload).hex();
        dockerd.buildBusyboxImages(work, base, image, payload);
        dockerd.docker("push", base).run().orFail("docker push " + base);
        dockerd.docker("push", image).run().orFail("docker push " + image);
        String pushed = dockerd.repoDigest(image);

        HttpResponse<byte[]> manifest = registry.get("/v2/it/app/manifests/1",
                "Accept", "application/vnd.docker.distribution.manifest.v2+json");
        assertThat(manifest.statusCode()).isEqualTo(200);
        assertThat(TestRegistry.json(manifest).path("layers")).hasSize(2);
        assertThat(pushed).endsWith(manifest.headers().firstValue("Docker-Content-Digest").orElseThrow());

        dockerd.docker("rmi", image, base).run().orFail("docker rmi");
        assertThat(dockerd.docker("image", "inspect", image).run().exitCode()).isNotZero();
        dockerd.docker("pull", image).run().orFail("docker pull " + image);
        assertThat(dockerd.repoDigest(image)).isEqualTo(pushed);
        String inside = dockerd.docker("run", "--rm", "--network", "none", image, "sha256sum", "/payload").run()
                .orFail("docker run").stdout();
        assertThat(inside).startsWith(payloadHex);
    }

    @Test
    void podmanPullsAndPushes() throws Exception {
        Command.require("podman");
        OciLayout layout = new OciLayout(work.resolve("podman-src"));
        OciLayout.Blob image = layout.image("linux", "amd64", 2, 300_000, 9);
        layout.tag(image, "v1").write();
        Command.skopeo("copy", "--dest-tls-verify=false", "oci:" + work.resolve("podman-src") + ":v1",
                "docker://" + host + "/it/podman:v1");
        Path storage = work.resolve("podman");
        podman(storage, "pull", "--tls-verify=false", host + "/it/podman:v1").orFail("podman pull");
        assertThat(podman(storage, "image", "inspect", "--format", "{{.Digest}}", host + "/it/podman:v1")
                .orFail("podman inspect").stdout().trim()).isEqualTo(image.digest().toString());
        podman(storage, "tag", host + "/it/podman:v1", host + "/it/podman-copy:v1").orFail("podman tag");
        podman(storage, "push", "--tls-verify=false", host + "/it/podman-copy:v1").orFail("podman push");
        String config = TestRegistry.json(registry.get("/v2/it/podman/manifests/v1", "Accept", TestRegistry.OCI_MANIFEST))
                .path("config").path("digest").asText();
        HttpResponse<byte[]> copy = registry.get("/v2/it/podman-copy/manifests/v1", "Accept",
                TestRegistry.OCI_MANIFEST + ", application/vnd.docker.distribution.manifest.v2+json");
        assertThat(copy.statusCode()).isEqualTo(200);
        assertThat(TestRegistry.json(copy).path("config").path("digest").asText()).isEqualTo(config);
    }

    /** Rootful podman with vfs and its own storage (no cgroups or journald here). */
    private static Command.Result podman(Path storage, String... args) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of("podman", "--root", storage.resolve("root").toString(),
                "--runroot", storage.resolve("run").toString(), "--storage-driver", "vfs", "--events-backend", "none",
                "--cgroup-manager", "cgroupfs"));
        all.addAll(List.of(args));
        return new Command(all, Command.NO_INTERNET, java.time.Duration.ofMinutes(3)).run();
    }

    @Test
    void skopeoOciRoundTripKeepsDigests() throws Exception {
        OciLayout layout = new OciLayout(work.resolve("oci-src"));
        OciLayout.Blob image = layout.image("linux", "amd64", 3, 400_000, 7);
        layout.tag(image, "v1").write();
        Command.skopeo("copy", "--dest-tls-verify=false", "oci:" + work.resolve("oci-src") + ":v1", "docker://" + host + "/it/oci:v1");
        assertThat(digestOf("/v2/it/oci/manifests/v1")).isEqualTo(image.digest().toString());

        Command.skopeo("copy", "--src-tls-verify=false", "docker://" + host + "/it/oci:v1", "oci:" + work.resolve("oci-out") + ":v1");
        Command.skopeo("copy", "--dest-tls-verify=false", "oci:" + work.resolve("oci-out") + ":v1", "docker://" + host + "/it/oci-copy:v1");
        assertThat(digestOf("/v2/it/oci-copy/manifests/v1")).isEqualTo(image.digest().toString());
        byte[] original = Files.readAllBytes(work.resolve("oci-src/blobs/sha256/" + image.digest().hex()));
        assertThat(Files.readAllBytes(work.resolve("oci-out/blobs/sha256/" + image.digest().hex()))).isEqualTo(original);

        String inspected = Command.skopeo("inspect", "--tls-verify=false", "docker://" + host + "/it/oci:v1").stdout();
        assertThat(inspected).contains(image.digest().toString()).contains("\"Architecture\": \"amd64\"");
    }

    @Test
    void multiArchIndexPushesAndPulls() throws Exception {
        OciLayout layout = new OciLayout(work.resolve("multi-src"));
        OciLayout.Blob amd64 = layout.image("linux", "amd64", 2, 200_000, 11);
        OciLayout.Blob arm64 = layout.image("linux", "arm64", 2, 200_000, 12);
        OciLayout.Blob index = layout.index(List.of(amd64, arm64), List.of("linux/amd64", "linux/arm64"));
        layout.tag(index, "v1").write();
        Command.skopeo("copy", "--all", "--dest-tls-verify=false", "oci:" + work.resolve("multi-src") + ":v1",
                "docker://" + host + "/it/multi:v1");
        HttpResponse<byte[]> got = registry.get("/v2/it/multi/manifests/v1", "Accept", OciLayout.INDEX);
        assertThat(got.headers().firstValue("Content-Type")).hasValue(OciLayout.INDEX);
        assertThat(got.headers().firstValue("Docker-Content-Digest")).hasValue(index.digest().toString());

        Command.skopeo("copy", "--all", "--src-tls-verify=false", "docker://" + host + "/it/multi:v1",
                "oci:" + work.resolve("multi-out") + ":v1");
        assertThat(work.resolve("multi-out/blobs/sha256/" + arm64.digest().hex())).exists();
        assertThat(work.resolve("multi-out/blobs/sha256/" + index.digest().hex())).exists();

        String image = host + "/it/multi:v1";
        dockerd.docker("pull", image).run().orFail("docker pull " + image);
        assertThat(dockerd.repoDigest(image)).endsWith(index.digest().toString());
        String arch = dockerd.docker("image", "inspect", "--format", "{{.Architecture}}", image).run().orFail("inspect").stdout();
        assertThat(arch.trim()).isEqualTo("amd64");
    }

    private String digestOf(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = registry.head(path);
        assertThat(r.statusCode()).isEqualTo(200);
        return r.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

}
