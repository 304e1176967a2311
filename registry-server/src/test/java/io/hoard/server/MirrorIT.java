package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.model.Digest;
import io.hoard.server.it.Command;
import io.hoard.server.it.Distribution;
import io.hoard.server.it.Dockerd;
import io.hoard.server.it.FaultProxy;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * dockerd with {@code registry-mirrors} pointing at Hoard pulls an image that only the upstream
 * has; after {@code docker rmi}, a second pull downloads no blob from the upstream. Then containerd
 * (dockerd's own, through {@code ctr}) pulls through Hoard with {@code hosts.toml} mirrors for two
 * registries, so that its requests carry {@code ?ns=}.
 */
@Timeout(600)
final class MirrorIT {
    @TempDir
    Path work;

    @Test
    void dockerdPullsThroughTheMirrorAndTheSecondPullStaysLocal() throws Exception {
        Command.require("skopeo");
        try (Distribution upstream = Distribution.start(work.resolve("upstream"));
                Distribution second = Distribution.start(work.resolve("second"));
                FaultProxy counting = FaultProxy.start(upstream.url());
                TestRegistry hoard = TestRegistry.filesystem(work.resolve("hoard"),
                        "proxy:\n  remoteregistries:\n  - url: " + counting.url() + "\n  - url: " + second.url() + "\n")) {
            String mirror = "http://127.0.0.1:" + hoard.app.address().getPort();
            try (Dockerd dockerd = Dockerd.start("{\"registry-mirrors\": [\"" + mirror + "\"]}")) {
                byte[] payload = TestRegistry.randomBytes(2_000_000, 7);
                // Seed the upstream directly (127.0.0.0/8 registries are insecure for dockerd).
                String base = upstream.host() + "/library/base:1";
                String app = upstream.host() + "/library/hello:1";
                dockerd.buildBusyboxImages(work, base, app, payload);
                dockerd.docker("push", app).run().orFail("push to upstream");
                String upstreamDigest = dockerd.repoDigest(app).split("@")[1];
                dockerd.docker("rmi", app, base).run().orFail("rmi");

                counting.resetCounts();
                dockerd.docker("pull", "hello:1").run().orFail("docker pull hello:1 through the mirror");
                assertThat(dockerd.repoDigest("hello:1")).endsWith(upstreamDigest);
                int blobGets = counting.count("GET /v2/library/hello/blobs/");
                assertThat(blobGets).as("config and two layers fetched from upstream").isEqualTo(3);
                String sum = dockerd.docker("run", "--rm", "--network", "none", "hello:1", "sha256sum", "/payload").run()
                        .orFail("docker run").stdout();
                assertThat(sum).startsWith(Digest.sha256(payload).hex());

                dockerd.docker("rmi", "hello:1").run().orFail("rmi");
                dockerd.docker("pull", "hello:1").run().orFail("second pull");
                assertThat(counting.count("GET /v2/library/hello/blobs/")).as("no blob fetched again").isEqualTo(blobGets);
                assertThat(counting.count("GET /v2/library/hello/manifests/")).as("tag within TTL: no manifest GET")
                        .isEqualTo(1);

                // containerd with hosts.toml mirrors: docker.io and a second registry, both through Hoard.
                dockerd.docker("tag", "hello:1", second.host() + "/team/other:2").run().orFail("tag");
                dockerd.docker("push", second.host() + "/team/other:2").run().orFail("push to the second registry");
                Path hosts = work.resolve("certs.d");
                for (String registry : new String[] {"docker.io", second.host()}) {
                    Path dir = java.nio.file.Files.createDirectories(hosts.resolve(registry));
                    String server = registry.equals("docker.io") ? "https://registry-1.docker.io" : "http://" + registry;
                    java.nio.file.Files.writeString(dir.resolve("hosts.toml"), "server = \"" + server + "\"\n\n[host.\""
                            + mirror + "\"]\n  capabilities = [\"pull\", \"resolve\"]\n");
                }
                String containerd = "unix://" + dockerd.dir().resolve("exec/containerd/containerd.sock");
                for (String ref : new String[] {"docker.io/library/hello:1", second.host() + "/team/other:2"}) {
                    Command.of("ctr", "--address", containerd.substring(7), "-n", "hoard-test", "images", "pull",
                            "--hosts-dir", hosts.toString(), "--snapshotter", "native", ref).run().orFail("ctr pull " + ref);
                }
                // The second registry is reachable directly too: prove ctr went through Hoard (?ns=).
                Path cached = work.resolve("hoard/docker/registry/v2/repositories/127.0.0.1-" + second.port()
                        + "/team/other/_manifests/tags/2/current/link");
                assertThat(cached).exists();
                assertThat(counting.count("GET /v2/library/hello/blobs/")).as("docker.io content came from the cache")
                        .isEqualTo(blobGets);
            }
        }
    }
}
