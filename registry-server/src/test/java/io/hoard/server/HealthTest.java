package io.hoard.server;

import static io.hoard.server.TestRegistry.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoard.server.it.Command;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health: {@code /healthz} for orchestrators (no credentials), distribution's checks (storage
 * driver, file, http, tcp), and the registry answering 503 while a gating check fails.
 */
final class HealthTest {
    @TempDir
    Path dir;

    @Test
    void healthzAnswersWithoutCredentialsAndSaysOk() throws Exception {
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), Command.htpasswdEntry("u", "p") + "\n");
        try (TestRegistry r = TestRegistry.inMemory("auth:\n  htpasswd:\n    realm: r\n    path: " + htpasswd + "\n")) {
            HttpResponse<byte[]> ok = r.get("/healthz");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(TestRegistry.json(ok).path("status").asText()).isEqualTo("ok");
            assertThat(r.get("/v2/").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void aStorageRootThatCannotBeWrittenMakesTheRegistryAnswer503UntilItRecovers() throws Exception {
        Path root = dir.resolve("data");
        try (TestRegistry r = TestRegistry.filesystem(root, """
                health:
                  storagedriver:
                    enabled: true
                    interval: 100ms
                    threshold: 2
                """)) {
            assertThat(r.get("/v2/").statusCode()).isEqualTo(200);
            Path moved = dir.resolve("moved");
            Files.move(root, moved);
            Files.writeString(root, "not a directory"); // the mount went away, a file is in its place
            HttpResponse<byte[]> down = await(r, "/v2/", resp -> resp.statusCode() == 503);
            assertError(down, 503, "UNAVAILABLE");
            assertThat(new String(down.body())).contains("storagedriver_filesystem");
            JsonNode healthz = TestRegistry.json(r.get("/healthz"));
            assertThat(healthz.path("status").asText()).isEqualTo("failing");
            assertThat(healthz.path("failing").path("storagedriver_filesystem").asText()).contains("storage cannot write");

            Files.delete(root);
            Files.move(moved, root);
            assertThat(await(r, "/v2/", resp -> resp.statusCode() == 200).statusCode()).isEqualTo(200);
            assertThat(r.get("/healthz").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void withoutStoragedriverEnabledAFailingStorageShowsInHealthzOnly() throws Exception {
        Path root = dir.resolve("data");
        try (TestRegistry r = TestRegistry.filesystem(root, "health:\n  storagedriver:\n    interval: 100ms\n")) {
            Path moved = dir.resolve("moved");
            Files.move(root, moved);
            Files.writeString(root, "not a directory");
            assertThat(await(r, "/healthz", resp -> resp.statusCode() == 503).statusCode()).isEqualTo(503);
            assertThat(r.get("/v2/").statusCode()).as("distribution's default: not gating").isEqualTo(200);
            Files.delete(root);
            Files.move(moved, root);
        }
    }

    @Test
    void fileHttpAndTcpChecksGateTheRegistry() throws Exception {
        Path maintenance = dir.resolve("maintenance");
        try (TestRegistry other = TestRegistry.inMemory("")) {
            int closed = io.hoard.server.it.Distribution.freePort();
            try (TestRegistry r = TestRegistry.inMemory("""
                    health:
                      file:
                      - file: %s
                        interval: 100ms
                      http:
                      - uri: %s/v2/
                        statuscode: 200
                        interval: 100ms
                    """.formatted(maintenance, other.base))) {
                assertThat(r.get("/v2/").statusCode()).isEqualTo(200);
                Files.writeString(maintenance, "");
                assertThat(new String(await(r, "/v2/", resp -> resp.statusCode() == 503).body())).contains("file:");
                Files.delete(maintenance);
                await(r, "/v2/", resp -> resp.statusCode() == 200);
            }
            try (TestRegistry r = TestRegistry.inMemory("""
                    health:
                      tcp:
                      - addr: 127.0.0.1:%d
                        timeout: 200ms
                        interval: 100ms
                        threshold: 2
                    """.formatted(closed))) {
                HttpResponse<byte[]> down = await(r, "/v2/", resp -> resp.statusCode() == 503);
                assertThat(new String(down.body())).contains("cannot connect to 127.0.0.1:" + closed);
            }
        }
    }

    private static HttpResponse<byte[]> await(TestRegistry r, String path, Predicate<HttpResponse<byte[]>> done)
            throws Exception {
        HttpResponse<byte[]> last = r.get(path);
        for (int i = 0; i < 100 && !done.test(last); i++) {
            Thread.sleep(50);
            last = r.get(path);
        }
        return last;
    }
}
