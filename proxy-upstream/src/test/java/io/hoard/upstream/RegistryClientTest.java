package io.hoard.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hoard.config.RemoteRegistry;
import io.hoard.model.Digest;
import io.hoard.testing.ScriptedRegistry;
import io.hoard.testing.ScriptedRegistry.Answer;
import io.hoard.testing.TestClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The upstream client against scripted registries in this JVM: challenges and tokens, 429 with
 * Retry-After, the circuit breaker, redirects, paging, digest checks and the plain-socket blob path.
 * Fast (no external process); the integration tests do the same against distribution.
 */
final class RegistryClientTest {
    private static final String MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}";
    private static final Digest MANIFEST_DIGEST = Digest.sha256(MANIFEST.getBytes(StandardCharsets.UTF_8));
    private static final Map<String, String> OCI = Map.of("Content-Type", "application/vnd.oci.image.manifest.v1+json",
            "Docker-Content-Digest", MANIFEST_DIGEST.toString());

    private final TestClock clock = new TestClock();
    private final List<AutoCloseable> closing = new java.util.ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private ScriptedRegistry upstream(ScriptedRegistry.Script script) throws Exception {
        ScriptedRegistry r = ScriptedRegistry.start(script);
        closing.add(r);
        return r;
    }

    private RegistryClient client(ScriptedRegistry upstream, Credentials credentials) {
        RemoteRegistry remote = new RemoteRegistry(URI.create(upstream.url()), Optional.empty(), Optional.empty());
        return new RegistryClient(UpstreamEndpoint.create(remote, Duration.ofSeconds(2), Duration.ofSeconds(2), clock),
                credentials);
    }

    @Test
    void bearerChallengeIsAnsweredOnceAndTheTokenReused() throws Exception {
        ScriptedRegistry tokens = upstream((r, n) -> Answer.of(200, Map.of("Content-Type", "application/json"),
                "{\"token\":\"t" + n + "\",\"expires_in\":300}"));
        ScriptedRegistry upstream = upstream((r, n) -> "Bearer t0".equals(r.header("Authorization"))
                ? Answer.of(200, OCI, MANIFEST)
                : Answer.of(401, Map.of("WWW-Authenticate", "Bearer realm=\"" + tokens.url() + "/token\",service=\"reg\""), ""));
        RegistryClient client = client(upstream, Credentials.of(Optional.of("alice"), Optional.of("secret")));
        for (int i = 0; i < 3; i++) {
            assertThat(client.getManifest("team/app", "v1", 1 << 20).orElseThrow().digest()).isEqualTo(MANIFEST_DIGEST);
        }
        assertThat(tokens.requests()).hasSize(1);
        ScriptedRegistry.Request tokenRequest = tokens.requests().get(0);
        assertThat(tokenRequest.path()).contains("scope=repository%3Ateam%2Fapp%3Apull").contains("service=reg");
        assertThat(tokenRequest.header("Authorization")).startsWith("Basic ");
        assertThat(upstream.requests()).hasSize(4); // one 401, then three with the token
        assertThat(client.accessExpires("team/app")).isPresent();
    }

    @Test
    void refusedCredentialsAreUnauthorizedAndDoNotTripTheBreaker() throws Exception {
        ScriptedRegistry upstream = upstream((r, n) -> Answer.of(r.header("Authorization") == null ? 401 : 403,
                Map.of("WWW-Authenticate", "Basic realm=\"reg\""), ""));
        RegistryClient client = client(upstream, Credentials.of(Optional.of("alice"), Optional.of("wrong")));
        for (int i = 0; i < 8; i++) {
            assertThatThrownBy(() -> client.headManifest("team/app", "v1")).isInstanceOf(UpstreamException.class)
                    .satisfies(e -> assertThat(((UpstreamException) e).kind()).isEqualTo(UpstreamException.Kind.UNAUTHORIZED))
                    .hasMessageNotContaining("wrong");
        }
        assertThat(client.serves("team/app")).isFalse();
    }

    @Test
    void shortTooManyRequestsIsWaitedOutOnceLongerOnesAreReported() throws Exception {
        ScriptedRegistry upstream = upstream((r, n) -> n == 0 ? Answer.of(429, Map.of("Retry-After", "0"), "")
                : n == 1 ? Answer.of(200, OCI, "") : Answer.of(429, Map.of("Retry-After", "60"), ""));
        RegistryClient client = client(upstream, Credentials.anonymous());
        assertThat(client.headManifest("team/app", "v1").orElseThrow().digest()).isEqualTo(MANIFEST_DIGEST);
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.headManifest("team/app", "v1"))
                .satisfies(e -> assertThat(((UpstreamException) e).kind()).isEqualTo(UpstreamException.Kind.TOO_MANY_REQUESTS));
        assertThat((System.nanoTime() - start) / 1_000_000).as("a 60 s Retry-After is not waited for").isLessThan(1500);
        assertThat(client.stats().tooManyRequests()).isEqualTo(2);
    }

    @Test
    void serverErrorsOpenTheBreakerUntilItsCooldownPasses() throws Exception {
        ScriptedRegistry upstream = upstream((r, n) -> Answer.of(503));
        RegistryClient client = client(upstream, Credentials.anonymous());
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> client.headBlob("team/app", MANIFEST_DIGEST))
                    .satisfies(e -> assertThat(((UpstreamException) e).kind()).isEqualTo(UpstreamException.Kind.SERVER_ERROR));
        }
        assertThatThrownBy(() -> client.headBlob("team/app", MANIFEST_DIGEST)).hasMessageContaining("circuit breaker open");
        assertThat(upstream.requests()).hasSize(5);
        upstream.script((r, n) -> Answer.of(200, Map.of(), "x"));
        clock.advance(Duration.ofSeconds(31));
        assertThat(client.headBlob("team/app", MANIFEST_DIGEST)).isPresent();
    }

    @Test
    void redirectsAreFollowedWithoutCredentialsAndOnlyToHttp() throws Exception {
        byte[] blob = "layer bytes".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(blob);
        ScriptedRegistry cdn = upstream((r, n) -> new Answer(200, Map.of(), blob));
        ScriptedRegistry upstream = upstream((r, n) -> r.path().contains("/blobs/") && n > 0
                ? Answer.of(307, Map.of("Location", cdn.url() + "/signed?x=1"), "")
                : r.header("Authorization") == null ? Answer.of(401, Map.of("WWW-Authenticate", "Basic realm=\"r\""), "")
                : Answer.of(404));
        RegistryClient client = client(upstream, Credentials.of(Optional.of("alice"), Optional.of("secret")));
        assertThat(client.headManifest("team/app", "v1")).isEmpty(); // learns the Basic challenge
        try (BlobStream s = client.openBlob("team/app", digest, 0).orElseThrow()) {
            assertThat(s.body().readAllBytes()).isEqualTo(blob);
        }
        assertThat(cdn.requests()).hasSize(1);
        assertThat(cdn.requests().get(0).header("Authorization")).as("credentials stay with the upstream").isNull();

        upstream.script((r, n) -> Answer.of(302, Map.of("Location", "file:///etc/passwd"), ""));
        assertThatThrownBy(() -> client.headManifest("team/app", "v2")).hasMessageContaining("not followed");
    }

    @Test
    void manifestsAreCheckedAgainstTheAnnouncedDigest() throws Exception {
        ScriptedRegistry upstream = upstream((r, n) -> Answer.of(200, OCI, MANIFEST + " "));
        RegistryClient client = client(upstream, Credentials.anonymous());
        assertThatThrownBy(() -> client.getManifest("team/app", "v1", 1 << 20))
                .satisfies(e -> assertThat(((UpstreamException) e).kind()).isEqualTo(UpstreamException.Kind.PROTOCOL))
                .hasMessageContaining("not the one it announced");
        assertThatThrownBy(() -> client.getManifest("team/app", "v1", 10)).hasMessageContaining("more than 10 bytes");
    }

    @Test
    void tagListsFollowLinkHeaders() throws Exception {
        ScriptedRegistry upstream = upstream((r, n) -> r.path().contains("last=b")
                ? Answer.of(200, Map.of(), "{\"tags\":[\"c\"]}")
                : Answer.of(200, Map.of("Link", "</v2/team/app/tags/list?n=2&last=b>; rel=\"next\""), "{\"tags\":[\"a\",\"b\"]}"));
        assertThat(client(upstream, Credentials.anonymous()).tags("team/app")).contains(List.of("a", "b", "c"));
    }

    @Test
    void blobBodiesComeOverThePlainSocketPathAndResumeWithRanges() throws Exception {
        byte[] blob = new byte[300_000];
        new java.util.Random(7).nextBytes(blob);
        Digest digest = Digest.sha256(blob);
        ScriptedRegistry upstream = upstream((r, n) -> {
            String range = r.header("Range");
            if (range == null) {
                return new Answer(200, Map.of("Content-Type", "application/octet-stream"), blob);
            }
            int from = Integer.parseInt(range.replaceAll("\\D", ""));
            return new Answer(206, Map.of("Content-Range", "bytes " + from + "-" + (blob.length - 1) + "/" + blob.length),
                    java.util.Arrays.copyOfRange(blob, from, blob.length));
        });
        RegistryClient client = client(upstream, Credentials.anonymous());
        try (BlobStream s = client.openBlob("team/app", digest, 0).orElseThrow()) {
            assertThat(s.size()).isEqualTo(blob.length);
            assertThat(s.body().readAllBytes()).isEqualTo(blob);
        }
        try (BlobStream s = client.openBlob("team/app", digest, 100_000).orElseThrow()) {
            assertThat(s.size()).isEqualTo(blob.length);
            assertThat(s.offset()).isEqualTo(100_000);
            assertThat(s.body().readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(blob, 100_000, blob.length));
        }
        assertThat(upstream.requests()).hasSize(2).allSatisfy(r -> assertThat(r.header("User-Agent")).startsWith("hoard/"));
        assertThat(client.stats().requests()).isEqualTo(2);
    }
}
