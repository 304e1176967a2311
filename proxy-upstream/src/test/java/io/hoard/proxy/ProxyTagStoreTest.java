package io.hoard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.config.RemoteRegistry;
import io.hoard.model.Digest;
import io.hoard.model.RepositoryName;
import io.hoard.storage.DriverRegistry;
import io.hoard.storage.Repository;
import io.hoard.storage.driver.base.ValidatingStorageDriver;
import io.hoard.storage.driver.inmemory.InMemoryDriver;
import io.hoard.testing.ScriptedRegistry;
import io.hoard.testing.ScriptedRegistry.Answer;
import io.hoard.testing.TestClock;
import io.hoard.upstream.Credentials;
import io.hoard.upstream.RegistryClient;
import io.hoard.upstream.UpstreamEndpoint;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tag TTL, revalidation and stale serving, against a scripted upstream and a clock the test moves. */
final class ProxyTagStoreTest {
    private static final Duration TTL = Duration.ofMinutes(1);

    @TempDir
    Path spool;

    private final TestClock clock = new TestClock();
    private final DriverRegistry storage = new DriverRegistry(new ValidatingStorageDriver(new InMemoryDriver()));
    private final ProxyMetrics metrics = new ProxyMetrics();
    private ScriptedRegistry upstream;

    @AfterEach
    void stop() {
        if (upstream != null) {
            upstream.close();
        }
    }

    private static String manifest(String config) {
        return "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"size\":2,\"digest\":\"" + Digest.sha256(config.getBytes())
                + "\"},\"layers\":[]}";
    }

    /** The upstream's tag {@code v1} points at {@code current[0]}; it serves both manifests by digest too. */
    private Repository cache(String[] current, boolean[] down) throws Exception {
        upstream = ScriptedRegistry.start((r, n) -> {
            if (down[0]) {
                return Answer.of(503);
            }
            String body = r.path().endsWith("/v1") ? current[0]
                    : r.path().endsWith(Digest.sha256(manifest("a").getBytes()).toString()) ? manifest("a") : manifest("b");
            return Answer.of(200, Map.of("Content-Type", "application/vnd.oci.image.manifest.v1+json",
                    "Docker-Content-Digest", Digest.sha256(body.getBytes(StandardCharsets.UTF_8)).toString()), body);
        });
        UpstreamEndpoint endpoint = UpstreamEndpoint.create(new RemoteRegistry(URI.create(upstream.url()), Optional.empty(),
                Optional.empty()), Duration.ofSeconds(1), Duration.ofSeconds(1), clock);
        ProxyTarget target = new ProxyTarget(new RegistryClient(endpoint, Credentials.anonymous()), "library/app",
                RepositoryName.of("library/app"), TTL, null);
        ProxyRepositories repositories = new ProxyRepositories(storage, new BlobFetcher(storage, spool, Duration.ofSeconds(1),
                1L << 30, metrics), metrics, clock, Duration.ofSeconds(1), 0);
        return repositories.of(target);
    }

    @Test
    void aTagIsTrustedForItsTtlThenRevalidatedWithAHead() throws Exception {
        String[] current = {manifest("a")};
        Repository repo = cache(current, new boolean[1]);
        Digest a = Digest.sha256(manifest("a").getBytes());
        assertThat(repo.tags().get("v1")).contains(a);
        assertThat(repo.tags().get("v1")).contains(a);
        clock.advance(TTL.minusSeconds(5));
        assertThat(repo.tags().get("v1")).contains(a);
        assertThat(upstream.requests()).extracting(ScriptedRegistry.Request::line).containsExactly(
                "GET /v2/library/app/manifests/v1");

        clock.advance(Duration.ofSeconds(10));
        assertThat(repo.tags().get("v1")).contains(a);
        assertThat(upstream.count("HEAD", "/v2/library/app/manifests/v1")).isEqualTo(1);
        assertThat(repo.tags().get("v1")).as("confirmed again: trusted for another TTL").contains(a);
        assertThat(upstream.requests()).hasSize(2);
    }

    @Test
    void aMovedTagIsFollowedAndAnOutageServesTheCachedOneStale() throws Exception {
        String[] current = {manifest("a")};
        boolean[] down = {false};
        Repository repo = cache(current, down);
        assertThat(repo.tags().get("v1")).contains(Digest.sha256(manifest("a").getBytes()));

        current[0] = manifest("b");
        clock.advance(TTL.plusSeconds(1));
        Digest b = Digest.sha256(manifest("b").getBytes());
        assertThat(repo.tags().get("v1")).contains(b);
        assertThat(repo.manifests().get(b)).isPresent();

        down[0] = true;
        clock.advance(TTL.plusSeconds(1));
        assertThat(repo.tags().get("v1")).as("stale while the upstream fails").contains(b);
        assertThat(metrics.staleServes()).isEqualTo(1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> repo.tags().get("never-cached"))
                .isInstanceOf(io.hoard.model.RegistryException.class)
                .satisfies(e -> assertThat(((io.hoard.model.RegistryException) e).code())
                        .isEqualTo(io.hoard.model.ErrorCode.UNAVAILABLE));
    }
}
