package io.hoard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.config.RemoteRegistry;
import io.hoard.model.Digest;
import io.hoard.model.RepositoryName;
import io.hoard.storage.BlobContent;
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
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** proxy.prefetch: the blobs of a manifest fetched from upstream are fetched ahead, once, and clients join those fills. */
final class BlobPrefetchTest {
    @TempDir
    Path spool;

    private final DriverRegistry storage = new DriverRegistry(new ValidatingStorageDriver(new InMemoryDriver()));
    private final ProxyMetrics metrics = new ProxyMetrics();
    private final byte[] config = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    private final byte[] layer = random(2_000_000);
    private final String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":" + config.length
            + ",\"digest\":\"" + Digest.sha256(config) + "\"},\"layers\":[{\"mediaType\":"
            + "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"size\":" + layer.length + ",\"digest\":\""
            + Digest.sha256(layer) + "\"}]}";
    private ScriptedRegistry upstream;

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    private Repository cache(boolean prefetch) throws Exception {
        upstream = ScriptedRegistry.start((r, n) -> {
            if (r.path().contains("/manifests/")) {
                return Answer.of(200, Map.of("Content-Type", "application/vnd.oci.image.manifest.v1+json",
                        "Docker-Content-Digest", Digest.sha256(manifest.getBytes(StandardCharsets.UTF_8)).toString()), manifest);
            }
            byte[] blob = r.path().endsWith(Digest.sha256(config).toString()) ? config : layer;
            return new Answer(200, Map.of("Content-Type", "application/octet-stream"), blob);
        });
        UpstreamEndpoint endpoint = UpstreamEndpoint.create(new RemoteRegistry(URI.create(upstream.url()), Optional.empty(),
                Optional.empty()), Duration.ofSeconds(2), Duration.ofSeconds(2), new TestClock());
        ProxyTarget target = new ProxyTarget(new RegistryClient(endpoint, Credentials.anonymous()), "library/app",
                RepositoryName.of("library/app"), Duration.ofHours(1), null);
        ProxyRepositories repositories = new ProxyRepositories(storage, new BlobFetcher(storage, spool, Duration.ofSeconds(2),
                1L << 30, metrics), metrics, new TestClock(), Duration.ofSeconds(2), prefetch ? 1L << 30 : 0);
        return repositories.of(target);
    }

    private long blobGets() {
        return upstream.requests().stream().filter(r -> r.method().equals("GET") && r.path().contains("/blobs/")).count();
    }

    @Test
    void aFetchedManifestsBlobsAreFetchedAheadAndClientsJoinThoseFills() throws Exception {
        Repository repo = cache(true);
        assertThat(repo.tags().get("v1")).isPresent();
        for (int i = 0; i < 200 && storage.statContent(Digest.sha256(layer)).isEmpty(); i++) {
            Thread.sleep(25);
        }
        assertThat(storage.statContent(Digest.sha256(layer))).as("fetched with no client asking").isPresent();
        assertThat(storage.statContent(Digest.sha256(config))).isPresent();
        assertThat(metrics.prefetches()).isEqualTo(2);
        try (BlobContent content = repo.blobs().open(Digest.sha256(layer), 0);
                InputStream in = java.nio.channels.Channels.newInputStream(content.channel())) {
            assertThat(in.readAllBytes()).isEqualTo(layer);
        }
        assertThat(blobGets()).as("each blob once from upstream").isEqualTo(2);
        assertThat(repo.manifests().get(Digest.sha256(manifest.getBytes(StandardCharsets.UTF_8)))).isPresent();
        assertThat(metrics.prefetches()).as("a cached manifest fetches nothing ahead").isEqualTo(2);
    }

    @Test
    void offMeansOnlyWhatClientsAskFor() throws Exception {
        Repository repo = cache(false);
        assertThat(repo.tags().get("v1")).isPresent();
        Thread.sleep(200);
        assertThat(blobGets()).isZero();
        assertThat(metrics.prefetches()).isZero();
    }
}
