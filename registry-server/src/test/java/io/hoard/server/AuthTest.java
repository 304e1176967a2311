package io.hoard.server;

import static io.hoard.server.TestRegistry.assertError;
import static io.hoard.server.TestRegistry.basic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hoard.config.ConfigException;
import io.hoard.config.ConfigLoader;
import io.hoard.server.it.Command;
import io.hoard.server.it.LogCapture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** auth.htpasswd: Basic for everything, or anonymous pulls with Hoard's own tokens for pushes. */
final class AuthTest {
    private static final String PASSWORD = "s3cret-Pa55";

    @TempDir
    Path dir;
    Path htpasswd;

    @BeforeEach
    void users() throws Exception {
        htpasswd = dir.resolve("htpasswd");
        String alice = Command.htpasswdEntry("alice", PASSWORD);
        Files.writeString(htpasswd, "# users\n" + alice + "\nmallory:{SHA}notbcrypt=\n");
    }

    private TestRegistry registry(boolean anonymousPull) throws Exception {
        return TestRegistry.inMemory("auth:\n  htpasswd:\n    realm: test-realm\n    path: " + htpasswd
                + (anonymousPull ? "\n    anonymouspull: true\n" : "\n"));
    }

    @Test
    void everyRequestNeedsValidCredentialsAndGetsABasicChallenge() throws Exception {
        LogCapture logs = new LogCapture();
        try (logs; TestRegistry r = registry(false)) {
            for (String path : new String[] {"/v2/", "/v2/_catalog", "/v2/app/manifests/1", "/v2/app/tags/list"}) {
                HttpResponse<byte[]> anonymous = r.get(path);
                assertError(anonymous, 401, "UNAUTHORIZED");
                assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"test-realm\"");
            }
            assertError(r.get("/v2/", "Authorization", basic("alice", "wrong")), 401, "UNAUTHORIZED");
            assertError(r.get("/v2/", "Authorization", basic("nobody", PASSWORD)), 401, "UNAUTHORIZED");
            assertError(r.get("/v2/", "Authorization", basic("nobody", "")), 401, "UNAUTHORIZED");
            assertError(r.get("/v2/", "Authorization", basic("alice", "")), 401, "UNAUTHORIZED");
            assertError(r.get("/v2/", "Authorization", basic("alice", "x".repeat(200))), 401, "UNAUTHORIZED");
            assertError(r.get("/v2/", "Authorization", basic("mallory", "notbcrypt")), 401, "UNAUTHORIZED");
            assertError(r.get("/v2/", "Authorization", "Basic !!!not-base64"), 401, "UNAUTHORIZED");
            assertError(r.get("/v2/", "Authorization", "Bearer abc.def"), 401, "UNAUTHORIZED");
            assertError(r.get("/auth/token"), 404, "NOT_FOUND"); // no token service without anonymouspull
            assertError(r.send(r.request("/v2/app/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody())), 401,
                    "UNAUTHORIZED");

            r.authorization = basic("alice", PASSWORD);
            assertThat(r.get("/v2/").statusCode()).isEqualTo(200);
            byte[] manifest = r.pushImage("team/app", "1", "layer".getBytes());
            assertThat(r.get("/v2/team/app/manifests/1", "Accept", TestRegistry.OCI_MANIFEST).body()).isEqualTo(manifest);
            r.authorization = null;
            assertError(r.get("/v2/team/app/manifests/1"), 401, "UNAUTHORIZED");

            // Users added to the file count without a restart.
            String bob = Command.htpasswdEntry("bob", "bobs-pw");
            Files.writeString(htpasswd, bob + "\n", StandardOpenOption.APPEND);
            Files.setLastModifiedTime(htpasswd, FileTime.from(Instant.now().plusSeconds(2)));
            assertThat(r.get("/v2/", "Authorization", basic("bob", "bobs-pw")).statusCode()).isEqualTo(200);
        }
        String everything = logs.text();
        assertThat(everything).doesNotContain(PASSWORD).doesNotContain(basic("alice", PASSWORD).substring(6))
                .doesNotContain("notbcrypt").doesNotContain("$2y$05$");
        assertThat(everything).contains("line 3 is not a bcrypt entry");
    }

    @Test
    void anonymousPullWithTokensAndAuthenticatedPush() throws Exception {
        try (TestRegistry r = registry(true)) {
            r.authorization = basic("alice", PASSWORD);
            byte[] manifest = r.pushImage("team/app", "1", "layer".getBytes());
            r.authorization = null;

            // The ping challenges everyone, so that docker learns where tokens come from before it pushes.
            HttpResponse<byte[]> ping = r.get("/v2/");
            assertError(ping, 401, "UNAUTHORIZED");
            assertThat(ping.headers().firstValue("WWW-Authenticate"))
                    .hasValue("Bearer realm=\"" + r.base + "/auth/token\",service=\"hoard\"");
            // Reads need nothing; writes do.
            assertThat(r.get("/v2/team/app/manifests/1", "Accept", TestRegistry.OCI_MANIFEST).body()).isEqualTo(manifest);
            assertThat(r.get("/v2/team/app/tags/list").statusCode()).isEqualTo(200);
            assertError(r.send(r.request("/v2/team/app/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody())), 401,
                    "UNAUTHORIZED");

            // An anonymous token reads, and may not write.
            String anonymous = token(r, null);
            assertThat(r.get("/v2/", "Authorization", "Bearer " + anonymous).statusCode()).isEqualTo(200);
            assertError(r.send(r.request("/v2/team/app/blobs/uploads/").header("Authorization", "Bearer " + anonymous)
                    .POST(HttpRequest.BodyPublishers.noBody())), 401, "UNAUTHORIZED");
            // A user's token writes.
            String user = token(r, basic("alice", PASSWORD));
            r.authorization = "Bearer " + user;
            r.pushImage("team/app", "2", "other layer".getBytes());
            // Tampered tokens and bad credentials at the token endpoint are refused.
            r.authorization = null;
            String tampered = user.substring(0, user.indexOf('.') - 2) + "xx" + user.substring(user.indexOf('.'));
            assertError(r.get("/v2/", "Authorization", "Bearer " + tampered), 401, "UNAUTHORIZED");
            HttpResponse<byte[]> refused = r.get("/auth/token?service=hoard", "Authorization", basic("alice", "wrong"));
            assertError(refused, 401, "UNAUTHORIZED");
            assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"test-realm\"");
            // Basic keeps working on every request.
            assertThat(r.get("/v2/", "Authorization", basic("alice", PASSWORD)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void tokensAreScopedAndDieWithTheirUser() throws Exception {
        try (TestRegistry r = registry(true)) {
            String user = token(r, basic("alice", PASSWORD)); // repository:team/app:pull,push
            r.authorization = "Bearer " + user;
            r.pushImage("team/app", "1", "layer".getBytes());
            HttpResponse<byte[]> elsewhere = r.send(r.request("/v2/team/other/blobs/uploads/")
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertError(elsewhere, 401, "UNAUTHORIZED");
            assertThat(elsewhere.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    h -> assertThat(h).contains("scope=\"repository:team/other:pull,push\""));
            assertError(r.get("/v2/team/other/tags/list"), 401, "UNAUTHORIZED");
            r.authorization = null;
            // Removed from the file: the token stops working at once.
            Files.writeString(htpasswd, "# nobody\n");
            Files.setLastModifiedTime(htpasswd, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
            assertError(r.get("/v2/team/app/tags/list", "Authorization", "Bearer " + user), 401, "UNAUTHORIZED");
            // An anonymous token never carries push, whatever it asks for.
            String anonymous = token(r, null);
            assertError(r.send(r.request("/v2/team/app/blobs/uploads/").header("Authorization", "Bearer " + anonymous)
                    .POST(HttpRequest.BodyPublishers.noBody())), 401, "UNAUTHORIZED");
            assertThat(r.get("/v2/team/app/tags/list", "Authorization", "Bearer " + anonymous).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void misconfigurationStopsTheStart() {
        assertThatThrownBy(() -> TestRegistry.inMemory("auth:\n  htpasswd:\n    realm: r\n    path: " + dir.resolve("none")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist").hasMessageContaining("htpasswd -B");
        assertThatThrownBy(() -> TestRegistry.inMemory("auth:\n  htpasswd:\n    realm: r\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auth.htpasswd.path");
        assertThatThrownBy(() -> TestRegistry.inMemory("auth:\n  token:\n    realm: https://auth.example\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("only auth.htpasswd");
        assertThatThrownBy(() -> ConfigLoader.parse("auth:\n  htpasswd:\n    path: /x\n    anonymous: true\n", Map.of(), "t"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("anonymous");
    }

    /** Instances that share http.secret accept each other's tokens; one with another secret does not. */
    @Test
    void tokensFromOneInstanceVerifyOnAnotherWithTheSameSecret() throws Exception {
        String auth = "storage:\n  inmemory: {}\nauth:\n  htpasswd:\n    realm: test-realm\n    path: " + htpasswd
                + "\n    anonymouspull: true\n";
        try (TestRegistry a = TestRegistry.withHttp("  secret: shared-secret\n", auth);
                TestRegistry b = TestRegistry.withHttp("  secret: shared-secret\n", auth);
                TestRegistry c = TestRegistry.withHttp("  secret: another-secret\n", auth)) {
            String user = token(a, basic("alice", PASSWORD));
            b.authorization = "Bearer " + user;
            b.pushImage("team/app", "1", "pushed with a's token".getBytes());
            c.authorization = "Bearer " + user;
            assertError(c.send(c.request("/v2/team/app/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody())), 401,
                    "UNAUTHORIZED");
        }
    }

    private static String token(TestRegistry r, String authorization) throws Exception {
        HttpResponse<byte[]> response = authorization == null
                ? r.get("/auth/token?service=hoard&scope=repository:team/app:pull,push")
                : r.get("/auth/token?service=hoard&scope=repository:team/app:pull,push", "Authorization", authorization);
        assertThat(response.statusCode()).isEqualTo(200);
        var json = TestRegistry.json(response);
        assertThat(json.path("expires_in").asLong()).isPositive();
        assertThat(json.path("access_token").asText()).isEqualTo(json.path("token").asText());
        return json.path("token").asText();
    }
}
