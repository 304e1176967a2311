package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.config.ConfigLoader;
import io.hoard.config.RegistryConfig;
import io.hoard.server.it.Command;
import io.hoard.server.it.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hoard healthcheck}: healthy over HTTP, TLS, mutual TLS, behind auth; unhealthy when nothing answers. */
final class HealthCheckTest {

    @Test
    void healthyWhenTheRegistryAnswersAndNotOtherwise(@TempDir Path dir) throws Exception {
        Path htpasswd = dir.resolve("htpasswd");
        Files.writeString(htpasswd, Command.htpasswdEntry("u", "p") + "\n");
        TestCa ca = TestCa.create(dir.resolve("ca"));
        Path[] server = ca.issue("server", "127.0.0.1");
        String[] variants = {
            "",
            "  tls: {selfsigned: true}\n",
            "auth: {htpasswd: {path: " + htpasswd + "}}\n",
            "  tls: {certificate: %s, key: %s, clientcas: [%s]}\n".formatted(server[0], server[1], ca.certificate()),
        };
        for (String variant : variants) {
            String yaml = "storage: {filesystem: {rootdirectory: " + dir.resolve("data") + "}}\nhttp:\n  addr: 127.0.0.1:%d\n"
                    + variant;
            int port;
            try (RegistryApp app = RegistryApp.start(ConfigLoader.parse(yaml.formatted(0), Map.of(), "t"))) {
                port = app.address().getPort();
                RegistryConfig probe = ConfigLoader.parse(yaml.formatted(port), Map.of(), "t");
                assertThat(HealthCheck.run(probe, Duration.ofSeconds(5))).as(variant).isZero();
            }
            RegistryConfig stopped = ConfigLoader.parse(yaml.formatted(port), Map.of(), "t");
            assertThat(HealthCheck.run(stopped, Duration.ofSeconds(2))).as("stopped: " + variant).isEqualTo(1);
        }
    }
}
