package io.hoard.server;

import static io.hoard.server.TestRegistry.assertError;
import static io.hoard.server.TestRegistry.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoard.model.Digest;
import io.hoard.server.admin.AdminClient;
import io.hoard.server.it.Command;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API's routes, callers and bad input, and the CLI over it. */
final class AdminApiTest {
    @TempDir
    Path dir;

    @Test
    void pinsArePutListedAndDeletedAndConfiguredOnesStay() throws Exception {
        try (TestRegistry r = TestRegistry.filesystem(dir, """
                proxy:
                  remoteregistries:
                  - url: http://127.0.0.1:9
                  localnamespaces: [mine]
                  pins: [docker.io/library/alpine:3]
                """)) {
            assertThat(send(r, "PUT", "/hoard/api/v1/pins/mine/app:v1").statusCode()).isEqualTo(201);
            assertThat(send(r, "PUT", "/hoard/api/v1/pins/mine/app:v1").statusCode()).isEqualTo(200);
            Digest d = Digest.sha256(new byte[] {1});
            assertThat(send(r, "PUT", "/hoard/api/v1/pins/mine/app@" + d).statusCode()).isEqualTo(201);
            assertThat(send(r, "PUT", "/hoard/api/v1/pins/mine/whole").statusCode()).isEqualTo(201);
            JsonNode pins = TestRegistry.json(r.get("/hoard/api/v1/pins"));
            // Docker Hub spellings are stored under the cache's name for them.
            assertThat(pins.path("pins").findValuesAsText("pin"))
                    .containsExactly("library/alpine:3", "mine/app:v1", "mine/app@" + d, "mine/whole");
            assertThat(pins.path("pins").get(0).path("source").asText()).isEqualTo("config");
            assertThat(pins.path("pins").get(1).path("source").asText()).isEqualTo("api");

            assertThat(send(r, "DELETE", "/hoard/api/v1/pins/mine/app:v1").statusCode()).isEqualTo(204);
            assertError(send(r, "DELETE", "/hoard/api/v1/pins/mine/app:v1"), 404, "NOT_FOUND");
            assertError(send(r, "DELETE", "/hoard/api/v1/pins/alpine:3"), 403, "DENIED");
            assertError(send(r, "PUT", "/hoard/api/v1/pins/Bad_Name:1"), 400, "NAME_INVALID");
            assertError(send(r, "PUT", "/hoard/api/v1/pins/mine/app:-bad"), 400, "TAG_INVALID");
            assertError(send(r, "PUT", "/hoard/api/v1/pins/mine/app@sha256:123"), 400, "DIGEST_INVALID");
            assertError(send(r, "PUT", "/hoard/api/v1/pins/mine%2Fapp:1"), 400, "NAME_INVALID");
            assertError(send(r, "POST", "/hoard/api/v1/pins"), 405, "UNSUPPORTED");
            assertError(r.get("/hoard/api/v1/nothing"), 404, "NOT_FOUND");
        }
        // Stored: a restart (or another instance on the store) sees them.
        try (TestRegistry r = TestRegistry.filesystem(dir, "")) {
            assertThat(TestRegistry.json(r.get("/hoard/api/v1/pins")).path("pins").findValuesAsText("pin"))
                    .contains("mine/whole");
        }
    }

    @Test
    void dockerHubSpellingsOfASourceGoToTheDefaultUpstream() throws Exception {
        try (TestRegistry hub = TestRegistry.inMemory("");
                TestRegistry r = TestRegistry.filesystem(dir, "proxy:\n  remoteurl: " + hub.base
                        + "\n  localnamespaces: [apps]\n")) {
            byte[] manifest = hub.pushImage("library/app", "1", TestRegistry.randomBytes(3000, 5));
            byte[] team = hub.pushImage("team/tool", "2", TestRegistry.randomBytes(3000, 6));
            for (String source : List.of("docker.io/library/app:1", "docker.io/app:1", "app:1")) {
                HttpResponse<byte[]> copy = post(r, "{\"source\":\"" + source + "\",\"target\":\"apps/app:1\"}");
                assertThat(copy.statusCode()).as(source + ": " + new String(copy.body(), StandardCharsets.UTF_8))
                        .isEqualTo(201);
            }
            assertThat(post(r, "{\"source\":\"index.docker.io/team/tool:2\",\"target\":\"apps/tool\"}").statusCode())
                    .isEqualTo(201);
            assertThat(r.get("/v2/apps/app/manifests/1", "Accept", TestRegistry.OCI_MANIFEST).body()).isEqualTo(manifest);
            assertThat(r.get("/v2/apps/tool/manifests/2", "Accept", TestRegistry.OCI_MANIFEST).body()).isEqualTo(team);
        }
    }

    @Test
    void signaturesAndOtherReferrersAreCopiedWithTheImage() throws Exception {
        try (TestRegistry source = TestRegistry.inMemory(""); TestRegistry r = TestRegistry.inMemory("")) {
            for (TestRegistry registry : List.of(source, r)) {
                byte[] image = registry.pushImage("team/signed", "1", TestRegistry.randomBytes(2000, 7));
                byte[] signature = referrer(registry, "team/signed", image);
                String sourceName = registry == source ? "127.0.0.1:" + source.app.address().getPort() + "/team/signed:1"
                        : "team/signed:1";
                HttpResponse<byte[]> copy = post(r, "{\"source\":\"" + sourceName + "\",\"target\":\"staged/signed:1\"}");
                assertThat(copy.statusCode()).as(new String(copy.body(), StandardCharsets.UTF_8)).isEqualTo(201);
                assertThat(TestRegistry.json(copy).path("referrers").asInt()).isEqualTo(1);
                JsonNode listed = TestRegistry.json(r.get("/v2/staged/signed/referrers/" + Digest.sha256(image)));
                assertThat(listed.path("manifests").get(0).path("digest").asText())
                        .isEqualTo(Digest.sha256(signature).toString());
                assertThat(r.get("/v2/staged/signed/manifests/" + Digest.sha256(signature), "Accept",
                        TestRegistry.OCI_MANIFEST).body()).isEqualTo(signature);
                assertThat(r.delete("/v2/staged/signed/manifests/" + Digest.sha256(signature)).statusCode())
                        .isIn(202, 405); // the next round copies it again
            }
        }
    }

    /** Pushes a signature-like artifact whose subject is {@code image}; returns its manifest. */
    private static byte[] referrer(TestRegistry registry, String repo, byte[] image) throws Exception {
        Digest empty = registry.pushBlob(repo, "{}".getBytes(StandardCharsets.UTF_8));
        Digest payload = registry.pushBlob(repo, ("signed " + Digest.sha256(image)).getBytes(StandardCharsets.UTF_8));
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + TestRegistry.OCI_MANIFEST + "\","
                + "\"artifactType\":\"application/vnd.example.signature\",\"config\":"
                + TestRegistry.descriptor("application/vnd.oci.empty.v1+json", empty, 2) + ",\"layers\":["
                + TestRegistry.descriptor("application/vnd.example.signature.payload", payload,
                        ("signed " + Digest.sha256(image)).length()) + "],\"subject\":"
                + TestRegistry.descriptor(TestRegistry.OCI_MANIFEST, Digest.sha256(image), image.length) + "}")
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> put = registry.putManifest(repo, Digest.sha256(manifest).toString(), manifest,
                TestRegistry.OCI_MANIFEST);
        assertThat(put.statusCode()).as(new String(put.body(), StandardCharsets.UTF_8)).isEqualTo(201);
        return manifest;
    }

    @Test
    void copyRequestsAreChecked() throws Exception {
        try (TestRegistry r = TestRegistry.inMemory("")) {
            assertError(post(r, "not json"), 400, "BAD_REQUEST");
            assertError(post(r, "[1]"), 400, "BAD_REQUEST");
            assertError(post(r, "{\"source\":\"a:1\"}"), 400, "BAD_REQUEST");
            assertError(post(r, "{\"source\":\"a:1\",\"target\":\"b@sha256:" + "0".repeat(64) + "\"}"), 400, "TAG_INVALID");
            assertError(post(r, "{\"source\":\"A:1\",\"target\":\"b\"}"), 400, "NAME_INVALID");
            assertError(post(r, "{\"source\":\"a:1\",\"target\":\"b\",\"credentials\":\"x\"}"), 400, "BAD_REQUEST");
            assertError(post(r, "{\"source\":\"a:1\",\"target\":\"b\",\"credentials\":{\"token\":\"has space\"}}"), 400,
                    "BAD_REQUEST");
            assertError(post(r, "{\"source\":\"a:1\",\"target\":\"b\"}"), 404, "MANIFEST_UNKNOWN");
            assertError(r.get("/hoard/api/v1/copies"), 405, "UNSUPPORTED");
        }
    }

    @Test
    void withAuthOnlyAdminUsersMayCallIt() throws Exception {
        Path htpasswd = dir.resolve("htpasswd");
        Files.writeString(htpasswd, Command.htpasswdEntry("root", "rootpw") + "\n" + Command.htpasswdEntry("dev", "devpw")
                + "\n");
        try (TestRegistry r = TestRegistry.inMemory("auth:\n  htpasswd:\n    realm: r\n    path: " + htpasswd
                + "\nadmin:\n  users: [root]\n")) {
            HttpResponse<byte[]> anonymous = r.get("/hoard/api/v1/pins");
            assertError(anonymous, 401, "UNAUTHORIZED");
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith(
                    "Basic"));
            assertError(r.get("/hoard/api/v1/pins", "Authorization", basic("root", "wrong")), 401, "UNAUTHORIZED");
            assertError(r.get("/hoard/api/v1/pins", "Authorization", basic("dev", "devpw")), 403, "DENIED");
            assertThat(r.get("/hoard/api/v1/pins", "Authorization", basic("root", "rootpw")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void theCliCopiesPinsAndReports() throws Exception {
        try (TestRegistry r = TestRegistry.inMemory("")) {
            byte[] manifest = r.pushImage("team/base", "7", TestRegistry.randomBytes(5000, 1));
            Map<String, String> env = Map.of("HOARD_SERVER", r.base);
            Result copy = cli(env, "", "copy", "team/base:7", "team/staged:s7");
            assertThat(copy.status).as(copy.err).isZero();
            assertThat(copy.out).contains("copied team/base:7 to team/staged:s7 (" + Digest.sha256(manifest) + ")")
                    .contains("0 blobs fetched").contains("2 reused");
            assertThat(copy.err).contains("[2/2]");
            assertThat(r.get("/v2/team/staged/manifests/s7", "Accept", TestRegistry.OCI_MANIFEST).body()).isEqualTo(manifest);

            assertThat(cli(env, "", "pin", "team/base:7").out).contains("pinned team/base:7");
            assertThat(cli(env, "", "pins").out).contains("team/staged:s7\tapi").contains("team/base:7\tapi");
            assertThat(cli(env, "", "unpin", "team/base:7").out).contains("unpinned team/base:7");
            Result again = cli(env, "", "unpin", "team/base:7");
            assertThat(again.status).isEqualTo(1);
            assertThat(again.err).contains("404").contains("not pinned");
            Result failed = cli(env, "pw\n", "copy", "127.0.0.1:9/x/y:1", "team/z", "--username", "u", "--password-stdin");
            assertThat(failed.status).isEqualTo(1);
            assertThat(failed.err).contains("copy failed").doesNotContain("pw\n");
        }
    }

    private record Result(int status, String out, String err) {
    }

    private static Result cli(Map<String, String> env, String stdin, String command, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = AdminClient.run(command, List.of(args), env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static HttpResponse<byte[]> send(TestRegistry r, String method, String path) throws Exception {
        return r.send(r.request(path).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private static HttpResponse<byte[]> post(TestRegistry r, String body) throws Exception {
        return r.send(r.request("/hoard/api/v1/copies").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }
}
