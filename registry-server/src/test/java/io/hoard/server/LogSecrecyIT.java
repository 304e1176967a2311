package io.hoard.server;

import static io.hoard.server.it.V2Pusher.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.hoard.model.Digest;
import io.hoard.server.it.Command;
import io.hoard.server.it.Distribution;
import io.hoard.server.it.LogCapture;
import io.hoard.server.it.TokenIssuer;
import io.hoard.server.it.V2Pusher;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Credentials never reach the log, at any level: a run at TRACE that logs in to Hoard (htpasswd),
 * pulls through an upstream behind token auth with configured credentials, is refused with wrong
 * ones, and stages a copy with a bearer token, and then every line is searched for the passwords,
 * their Basic encodings, the tokens and Authorization headers.
 */
@Timeout(300)
final class LogSecrecyIT {
    private static final String CLIENT_PASSWORD = "client-Secret-4711";
    private static final String UPSTREAM_PASSWORD = "upstream-Secret-0815";

    @TempDir
    Path work;

    @Test
    void noSecretAppearsInAnyLogLine() throws Exception {
        Path tokenDir = work.resolve("token");
        try (Distribution seeding = Distribution.start(tokenDir)) {
            new V2Pusher(seeding.url()).pushImage("team/secret", "v1", randomBytes(20_000, 1));
        }
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger access = (Logger) LoggerFactory.getLogger("io.hoard.access");
        Level rootLevel = root.getLevel();
        Level accessLevel = access.getLevel();
        String text;
        String bearer;
        try (TokenIssuer issuer = TokenIssuer.start(work.resolve("issuer"), Map.of("carol", UPSTREAM_PASSWORD));
                Distribution upstream = Distribution.withTokenAuth(tokenDir, issuer)) {
            Path htpasswd = Files.writeString(work.resolve("htpasswd"), Command.htpasswdEntry("alice", CLIENT_PASSWORD)
                    + "\n");
            bearer = issuer.mint("carol", "repository:team/secret:pull", Duration.ofMinutes(5));
            root.setLevel(Level.TRACE);
            access.setLevel(Level.TRACE);
            try (LogCapture capture = new LogCapture();
                    TestRegistry hoard = TestRegistry.filesystem(work.resolve("data"), """
                            auth:
                              htpasswd: {realm: test, path: %s}
                            admin:
                              users: [alice]
                            proxy:
                              remoteregistries:
                              - url: %s
                                username: carol
                                password: %s
                            """.formatted(htpasswd, upstream.url(), UPSTREAM_PASSWORD))) {
                String login = TestRegistry.basic("alice", CLIENT_PASSWORD);
                assertThat(hoard.get("/v2/", "Authorization", login).statusCode()).isEqualTo(200);
                assertThat(hoard.get("/v2/", "Authorization", TestRegistry.basic("alice", "wrong-" + CLIENT_PASSWORD))
                        .statusCode()).isEqualTo(401);
                HttpResponse<byte[]> manifest = hoard.get("/v2/team/secret/manifests/v1", "Authorization", login,
                        "Accept", TestRegistry.OCI_MANIFEST);
                assertThat(manifest.statusCode()).isEqualTo(200);
                String layer = TestRegistry.json(manifest).path("layers").get(0).path("digest").asText();
                assertThat(Digest.sha256(hoard.get("/v2/team/secret/blobs/" + layer, "Authorization", login).body()))
                        .hasToString(layer);
                HttpResponse<byte[]> copy = hoard.send(hoard.request("/hoard/api/v1/copies").header("Authorization", login)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(
                                TestRegistry.JSON.writeValueAsBytes(Map.of("source", upstream.host() + "/team/secret:v1",
                                        "target", "mine/copy:v1", "credentials", Map.of("token", bearer))))));
                assertThat(copy.statusCode()).as(new String(copy.body(), StandardCharsets.UTF_8)).isEqualTo(201);
                HttpResponse<byte[]> refused = hoard.send(hoard.request("/hoard/api/v1/copies").header("Authorization", login)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(
                                TestRegistry.JSON.writeValueAsBytes(Map.of("source", upstream.host() + "/team/secret:v1",
                                        "target", "mine/copy:v2", "credentials", Map.of("username", "carol",
                                                "password", "wrong-" + UPSTREAM_PASSWORD))))));
                assertThat(refused.statusCode()).isEqualTo(403);
                Thread.sleep(300); // access lines follow the responses
                text = capture.text();
            }
        } finally {
            root.setLevel(rootLevel);
            access.setLevel(accessLevel);
        }
        assertThat(text).as("the run logged at TRACE").contains("GET /v2/team/secret/manifests/v1").contains("copied");
        List<String> secrets = List.of(CLIENT_PASSWORD, UPSTREAM_PASSWORD, basic("alice", CLIENT_PASSWORD),
                basic("carol", UPSTREAM_PASSWORD), bearer, bearer.substring(bearer.lastIndexOf('.') + 1));
        for (String secret : secrets) {
            assertThat(text).as("a secret in the log").doesNotContain(secret);
        }
        assertThat(text.toLowerCase(java.util.Locale.ROOT)).doesNotContain("authorization: basic")
                .doesNotContain("authorization: bearer").doesNotContain("authorization=basic");
    }

    private static String basic(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
