package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.Volume;
import io.hoard.model.Digest;
import io.hoard.server.it.Command;
import io.hoard.server.it.Distribution;
import io.hoard.server.it.Dockerd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The project's image (docker/Dockerfile on a base built locally by docker/build-base-image), run
 * by Testcontainers the way users run it: a mounted config.yml and data volume, host network. The
 * same dockerd uses it as its {@code registry-mirrors} entry and pulls a Docker Hub name through it
 * from a distribution upstream; after a container restart, with the upstream gone, the cached image
 * is still served.
 */
@Timeout(900)
final class ImageIT {
    private static final String BASE_IMAGE = "hoard-base:it";

    @TempDir
    Path work;

    @Test
    void imageMirrorsDockerHubNamesAndKeepsItsCacheAcrossRestarts() throws Exception {
        Command.require("busybox");
        Path repo = Path.of(System.getProperty("hoard.repo.root", "..")).toAbsolutePath().normalize();
        Path tcDir = Path.of(System.getProperty("hoard.tc.dir", "/tmp/hoard-tc"));
        int port = Distribution.freePort();
        String mirror = "http://127.0.0.1:" + port;
        Distribution upstream = Distribution.start(work.resolve("upstream"));
        try (Dockerd dockerd = Dockerd.startIn(tcDir, "{\"registry-mirrors\": [\"" + mirror + "\"]}")) {
            byte[] payload = TestRegistry.randomBytes(1_500_000, 11);
            String app = upstream.host() + "/library/hello:1";
            dockerd.buildBusyboxImages(work, upstream.host() + "/library/base:1", app, payload);
            dockerd.docker("push", app).run().orFail("push to upstream");
            String digest = dockerd.repoDigest(app).split("@")[1];
            dockerd.docker("rmi", app, upstream.host() + "/library/base:1").run().orFail("rmi");

            new Command(List.of(repo.resolve("docker/build-base-image").toString(), BASE_IMAGE),
                    Map.of("DOCKER_HOST", "unix://" + tcDir.resolve("docker.sock")), Duration.ofMinutes(5))
                    .withNoInternet().run().orFail("docker/build-base-image");
            ImageFromDockerfile image = new ImageFromDockerfile("hoard-it:latest", false)
                    .withFileFromPath("docker/Dockerfile", repo.resolve("docker/Dockerfile"))
                    .withFileFromPath("docker/config.yml", repo.resolve("docker/config.yml"))
                    .withFileFromPath("docker/entrypoint.sh", repo.resolve("docker/entrypoint.sh"))
                    .withFileFromPath("scripts/java-opts.sh", repo.resolve("scripts/java-opts.sh"))
                    .withFileFromPath("registry-server/target/hoard.jar", repo.resolve("registry-server/target/hoard.jar"))
                    .withFileFromPath("registry-server/target/lib", repo.resolve("registry-server/target/lib"))
                    .withDockerfilePath("docker/Dockerfile")
                    .withBuildArg("BASE_IMAGE", BASE_IMAGE);
            image.get();

            Path config = work.resolve("config.yml");
            Files.writeString(config, """
                    version: 0.1
                    storage:
                      filesystem:
                        rootdirectory: /var/lib/registry
                    http:
                      addr: :%d
                    proxy:
                      remoteregistries:
                        - url: %s
                    """.formatted(port, upstream.url()));
            Path data = Files.createDirectories(work.resolve("data"));
            Command.of("chown", "65532:65532", data.toString()).run().orFail("chown");

            try (GenericContainer<?> hoard = container(image, config, data)) {
                hoard.start();
                assertThat(hoard.getCurrentContainerInfo().getConfig().getUser()).isEqualTo("65532:65532");
                // The base is this JDK (docker/build-base-image): from 25 on, the image carries the AOT
                // cache recorded when it was built, and the registry runs with it and a bounded heap.
                String processes = hoard.execInContainer("sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; ls /opt/hoard")
                        .getStdout();
                assertThat(processes).contains("-Xmx160m");
                if (Runtime.version().feature() >= 25) {
                    assertThat(processes).contains("-XX:AOTCache=/opt/hoard/hoard.aot").contains("hoard.aot");
                }
                dockerd.docker("pull", "hello:1").run().orFail("docker pull hello:1 through the container\n" + hoard.getLogs());
                assertThat(dockerd.repoDigest("hello:1")).endsWith(digest);
                String sum = dockerd.docker("run", "--rm", "--network", "none", "hello:1", "sha256sum", "/payload").run()
                        .orFail("docker run").stdout();
                assertThat(sum).startsWith(Digest.sha256(payload).hex());
                assertThat(data.resolve("docker/registry/v2/repositories/library/hello/_manifests/tags/1/current/link"))
                        .exists();
            }
            upstream.close();
            dockerd.docker("rmi", "hello:1").run().orFail("rmi");
            try (GenericContainer<?> hoard = container(image, config, data)) {
                hoard.start();
                dockerd.docker("pull", "hello:1").run().orFail("pull from the restarted container, upstream gone\n"
                        + hoard.getLogs());
                assertThat(dockerd.repoDigest("hello:1")).endsWith(digest);
            }
        } finally {
            upstream.close();
        }
    }

    /** The image as users run it; the health check (the image's own command) polled every second. */
    private static GenericContainer<?> container(ImageFromDockerfile image, Path config, Path data) {
        return new GenericContainer<>(image)
                .withNetworkMode("host")
                // Binds set directly: withFileSystemBind first probes file mounting with an alpine image
                // from Docker Hub, which these machines cannot pull.
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.getHostConfig().withBinds(
                            new Bind(config.toString(), new Volume("/etc/docker/registry/config.yml"), AccessMode.ro),
                            new Bind(data.toString(), new Volume("/var/lib/registry"), AccessMode.rw));
                    cmd.withHealthcheck(new HealthCheck().withInterval(Duration.ofSeconds(1).toNanos())
                            .withStartPeriod(Duration.ofSeconds(1).toNanos()));
                })
                .waitingFor(Wait.forHealthcheck().withStartupTimeout(Duration.ofSeconds(90)));
    }
}
