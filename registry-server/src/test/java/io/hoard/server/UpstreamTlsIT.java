package io.hoard.server;

import static io.hoard.server.TestRegistry.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.server.it.Command;
import io.hoard.server.it.Distribution;
import io.hoard.server.it.V2Pusher;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** An HTTPS upstream with a private CA: trusted through {@code cafile}, refused without it. */
@Timeout(120)
final class UpstreamTlsIT {
    @TempDir
    Path work;

    @Test
    void cafileMakesAPrivatelySignedUpstreamTrusted() throws Exception {
        Path cert = work.resolve("upstream.crt");
        Path key = work.resolve("upstream.key");
        Command.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(), "-out", cert.toString())
                .run().orFail("openssl");
        Path data = work.resolve("upstream");
        try (Distribution seeding = Distribution.start(data)) {
            new V2Pusher(seeding.url()).pushImage("library/tls", "v1", V2Pusher.randomBytes(1000, 1));
        }
        try (Distribution upstream = Distribution.withTls(data, cert, key);
                TestRegistry trusting = TestRegistry.filesystem(work.resolve("trusting"),
                        "proxy:\n  remoteregistries:\n  - url: " + upstream.url() + "\n    cafile: " + cert + "\n");
                TestRegistry untrusting = TestRegistry.filesystem(work.resolve("untrusting"),
                        "proxy:\n  remoteregistries:\n  - url: " + upstream.url() + "\n")) {
            assertThat(upstream.url()).startsWith("https://");
            assertThat(trusting.get("/v2/tls/manifests/v1").statusCode()).isEqualTo(200);
            assertError(untrusting.get("/v2/tls/manifests/v1"), 503, "UNAVAILABLE");
        }
    }
}
