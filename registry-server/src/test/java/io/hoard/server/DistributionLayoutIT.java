package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.server.it.Command;
import io.hoard.server.it.OciLayout;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
        Path root = Files.createDirectories(work.resolve("data"));
        OciLayout layout = new OciLayout(work.resolve("src"));
        OciLayout.Blob first = layout.image("linux", "amd64", 2, 300_000, 21);
        OciLayout.Blob second = layout.image("linux", "amd64", 2, 300_000, 22);
        layout.tag(first, "first").tag(second, "second").write();

        int port = freePort();
        try (DistributionProcess distribution = DistributionProcess.start(work, root, port)) {
            skopeo("copy", "--dest-tls-verify=false", "oci:" + work.resolve("src") + ":first",
                    "docker://127.0.0.1:" + port + "/compat/app:first");
        }
        try (TestRegistry hoard = TestRegistry.filesystem(root, "")) {
            var r = hoard.get("/v2/compat/app/manifests/first", "Accept", OciLayout.MANIFEST);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Docker-Content-Digest")).hasValue(first.digest().toString());
            String hoardHost = "127.0.0.1:" + hoard.app.address().getPort();
            skopeo("copy", "--src-tls-verify=false", "docker://" + hoardHost + "/compat/app:first",
                    "oci:" + work.resolve("from-hoard") + ":first");
            assertThat(work.resolve("from-hoard/blobs/sha256/" + first.digest().hex())).exists();
            skopeo("copy", "--dest-tls-verify=false", "oci:" + work.resolve("src") + ":second",
                    "docker://" + hoardHost + "/compat/app:second");
            assertThat(TestRegistry.json(hoard.get("/v2/_catalog")).path("repositories").get(0).asText())
                    .isEqualTo("compat/app");
        }
        try (DistributionProcess distribution = DistributionProcess.start(work, root, port)) {
            skopeo("copy", "--src-tls-verify=false", "docker://127.0.0.1:" + port + "/compat/app:second",
                    "oci:" + work.resolve("from-distribution") + ":second");
            assertThat(work.resolve("from-distribution/blobs/sha256/" + second.digest().hex())).exists();
            String tags = skopeo("list-tags", "--tls-verify=false", "docker://127.0.0.1:" + port + "/compat/app").stdout();
            assertThat(tags).contains("\"first\"").contains("\"second\"");
        }
    }

    private static Command.Result skopeo(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("skopeo", "--registries-conf", "/dev/null"));
        all.addAll(List.of(args));
        return new Command(all, Map.of(), Duration.ofMinutes(2)).withNoInternet().run().orFail(String.join(" ", args));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Debian's docker-registry serving {@code root} on a loopback port. */
    record DistributionProcess(Process process) implements AutoCloseable {
        static DistributionProcess start(Path work, Path root, int port) throws IOException, InterruptedException {
            Path config = work.resolve("distribution-" + port + ".yml");
            Files.writeString(config, """
                    version: 0.1
                    log:
                      level: warn
                    storage:
                      filesystem:
                        rootdirectory: %s
                      delete:
                        enabled: true
                    http:
                      addr: 127.0.0.1:%d
                    """.formatted(root, port));
            Process p = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true)
                    .redirectOutput(work.resolve("distribution.log").toFile()).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    return new DistributionProcess(p);
                } catch (IOException notYet) {
                    if (!p.isAlive()) {
                        throw new AssertionError("docker-registry exited: " + Files.readString(work.resolve("distribution.log")));
                    }
                    Thread.sleep(100);
                }
            }
            p.destroyForcibly();
            throw new AssertionError("docker-registry did not listen on " + port);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
