package io.hoard.server;

import static io.hoard.server.TestRegistry.assertError;
import static io.hoard.server.it.V2Pusher.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.server.it.Distribution;
import io.hoard.server.it.TokenIssuer;
import io.hoard.server.it.V2Pusher;
import io.hoard.upstream.Credentials;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code proxy.on}: an upstream no configuration names, reached with each client's own
 * credentials. Each client's identity gets its own token, and credentials never reach the disk.
 */
@Timeout(180)
final class DynamicProxyIT {
    @TempDir
    Path work;

    @Test
    void tokenServiceThatRefusesGetIsAskedWithTheOAuth2PasswordGrant() throws Exception {
        Path upstreamDir = work.resolve("post-upstream");
        try (Distribution seeding = Distribution.start(upstreamDir)) {
            new V2Pusher(seeding.url()).pushImage("team/post", "v1", randomBytes(1000, 4));
        }
        try (TokenIssuer issuer = TokenIssuer.start(work.resolve("post-issuer"), Map.of("robot", "pw-robot"));
                Distribution upstream = Distribution.withTokenAuth(upstreamDir, issuer);
                TestRegistry hoard = TestRegistry.filesystem(work.resolve("post-hoard"), """
                        proxy:
                          remoteregistries:
                          - url: %s
                            username: robot
                            password: pw-robot
                        """.formatted(upstream.url()))) {
            issuer.postOnly(true);
            assertThat(hoard.get("/v2/team/post/manifests/v1").statusCode()).isEqualTo(200);
            assertThat(issuer.posts()).isEqualTo(1);
        }
    }

    @Test
    void clientsUseTheirOwnCredentialsAndNeverEachOthers() throws Exception {
        Path upstreamDir = work.resolve("upstream");
        try (Distribution seeding = Distribution.start(upstreamDir)) {
            V2Pusher p = new V2Pusher(seeding.url());
            p.pushImage("team/private", "carol", randomBytes(1000, 1));
            p.pushImage("team/private", "dave", randomBytes(1000, 2));
            p.pushImage("team/private", "eve", randomBytes(1000, 3));
        }
        try (TokenIssuer issuer = TokenIssuer.start(work.resolve("issuer"), Map.of("carol", "pw-carol", "dave", "pw-dave"));
                Distribution upstream = Distribution.withTokenAuth(upstreamDir, issuer);
                TestRegistry hoard = TestRegistry.filesystem(work.resolve("hoard"), "proxy:\n  on: true\n"
                        + "  allowedhosts: ['" + upstream.host() + "', '" + java.net.URI.create(issuer.realm()).getAuthority()
                        + "']\n")) {
            String ns = "?ns=" + upstream.host();
            String carol = new Credentials("carol", "pw-carol").basicHeader();
            String dave = new Credentials("dave", "pw-dave").basicHeader();
            String eve = new Credentials("eve", "guess").basicHeader();

            HttpResponse<byte[]> anonymous = hoard.get("/v2/team/private/manifests/eve" + ns);
            assertError(anonymous, 401, "UNAUTHORIZED");
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    h -> assertThat(h).startsWith("Basic"));

            assertThat(hoard.get("/v2/team/private/manifests/carol" + ns, "Authorization", carol).statusCode()).isEqualTo(200);
            assertThat(issuer.requests("carol")).isEqualTo(1);

            assertError(hoard.get("/v2/team/private/manifests/eve" + ns, "Authorization", eve), 401, "UNAUTHORIZED");
            assertThat(issuer.requests("eve")).as("eve asked with her own (wrong) credentials").isPositive();

            assertThat(hoard.get("/v2/team/private/manifests/dave" + ns, "Authorization", dave).statusCode()).isEqualTo(200);
            assertThat(issuer.requests("dave")).as("dave got a token of his own, not carol's").isEqualTo(1);
            assertThat(issuer.requests("carol")).isEqualTo(1);

            for (String hostile : new String[] {"../../etc", "a:b", "x..y", "-bad.host", "host.with/slash", "a.b:99999"}) {
                HttpResponse<byte[]> r = hoard.get("/v2/team/private/manifests/carol?ns="
                        + java.net.URLEncoder.encode(hostile, StandardCharsets.UTF_8), "Authorization", carol);
                assertThat(r.statusCode()).as("ns=" + hostile).isEqualTo(404);
            }

            HttpResponse<byte[]> byPrefix = hoard.get("/v2/" + upstream.host() + "/team/private/manifests/carol",
                    "Authorization", carol);
            assertThat(byPrefix.statusCode()).isEqualTo(200);

            try (Stream<Path> files = Files.walk(work.resolve("hoard"))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                    assertThat(content).as("credentials on disk in " + f).doesNotContain("pw-carol").doesNotContain("pw-dave");
                }
            }
        }
    }
}
