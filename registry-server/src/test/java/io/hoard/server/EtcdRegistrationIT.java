package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.server.it.Etcd;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registration in a real etcd (Debian's etcd-server) on loopback: the key appears with the
 * registry's URL, survives an etcd restart, goes at once on a clean shutdown, and goes within the
 * lease TTL after Hoard is killed with SIGKILL.
 */
@Timeout(180)
final class EtcdRegistrationIT {
    private static final String PREFIX = "/services/docker_registry/";

    @TempDir
    Path work;

    @Test
    void theKeyLivesWithTheRegistryAndSurvivesAnEtcdRestart() throws Exception {
        try (Etcd etcd = Etcd.start(work.resolve("etcd"))) {
            String section = "registration:\n  etcd:\n    endpoints: [" + etcd.url() + "]\n    ttl: 3s\n";
            // In this JVM: registered, then gone at once when the registry stops.
            TestRegistry inJvm = TestRegistry.start("storage:\n  inmemory: {}\n" + section);
            String url = "http://127.0.0.1:" + inJvm.app.address().getPort();
            try {
                Map<String, String> keys = await(() -> etcd.keys(PREFIX), k -> !k.isEmpty());
                assertThat(keys.keySet()).containsExactly(PREFIX + "hoard-127.0.0.1-" + inJvm.app.address().getPort());
                assertThat(keys.values().iterator().next()).contains("\"url\":\"" + url + "\"").contains("\"tls\":false");
            } finally {
                inJvm.close();
            }
            assertThat(etcd.keys(PREFIX)).as("revoked at shutdown").isEmpty();

            // A separate process: killed without a goodbye, its key goes when the lease runs out.
            int port = io.hoard.server.it.Distribution.freePort();
            Path config = Files.writeString(work.resolve("config.yml"), "version: 0.1\nhttp:\n  addr: 127.0.0.1:" + port
                    + "\nstorage:\n  inmemory: {}\n" + section);
            Path repo = Path.of(System.getProperty("hoard.repo.root", "..")).toAbsolutePath().normalize();
            ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx128m", "-jar", repo.resolve("registry-server/target/hoard.jar").toString(), "serve",
                    config.toString())).redirectErrorStream(true).redirectOutput(work.resolve("hoard.log").toFile());
            builder.environment().remove("JAVA_TOOL_OPTIONS");
            builder.environment().remove("JDK_JAVA_OPTIONS");
            Process hoard = builder.start();
            try {
                String key = PREFIX + "hoard-127.0.0.1-" + port;
                await(() -> etcd.keys(PREFIX), k -> k.containsKey(key));
                assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/healthz")).build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);

                etcd.restart();
                Thread.sleep(4500); // longer than the TTL: only kept alive does it stay
                assertThat(etcd.keys(PREFIX)).as("kept alive across the etcd restart").containsKey(key);

                hoard.destroyForcibly().waitFor(); // SIGKILL
                long killed = System.nanoTime();
                await(() -> etcd.keys(PREFIX), Map::isEmpty);
                assertThat((System.nanoTime() - killed) / 1_000_000_000.0).as("seconds until the lease expired")
                        .isLessThan(10);
            } finally {
                hoard.destroyForcibly();
            }
        }
    }

    private static <T> T await(Callable<T> read, java.util.function.Predicate<T> done) throws Exception {
        T value = read.call();
        for (int i = 0; i < 300 && !done.test(value); i++) {
            Thread.sleep(50);
            value = read.call();
        }
        assertThat(done.test(value)).as("condition met within 15 s: " + value).isTrue();
        return value;
    }
}
