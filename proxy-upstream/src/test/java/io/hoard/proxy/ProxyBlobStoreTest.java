package io.hoard.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.RepositoryName;
import io.hoard.storage.BlobContent;
import io.hoard.storage.DriverRegistry;
import io.hoard.storage.driver.base.ValidatingStorageDriver;
import io.hoard.storage.driver.inmemory.InMemoryDriver;
import io.hoard.upstream.BlobStream;
import io.hoard.upstream.UpstreamManifest;
import io.hoard.upstream.UpstreamRegistry;
import io.hoard.upstream.UpstreamStats;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The cache fill over the in-memory driver and a fake upstream that counts and can misbehave. */
final class ProxyBlobStoreTest {
    private final byte[] blob = random(3_000_000);
    private final Digest digest = Digest.sha256(blob);
    private final DriverRegistry registry = new DriverRegistry(new ValidatingStorageDriver(new InMemoryDriver()));
    private final ProxyMetrics metrics = new ProxyMetrics();

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    /** Serves {@link #blob} slowly enough that concurrent callers overlap; {@code corrupt} flips a byte. */
    private final class FakeUpstream implements UpstreamRegistry {
        final AtomicInteger opens = new AtomicInteger();
        volatile boolean corrupt;
        private final UpstreamStats stats = new UpstreamStats();

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public UpstreamStats stats() {
            return stats;
        }

        @Override
        public Optional<Descriptor> headManifest(String repository, String reference) {
            return Optional.empty();
        }

        @Override
        public Optional<UpstreamManifest> getManifest(String repository, String reference, int maxBytes) {
            return Optional.empty();
        }

        @Override
        public Optional<Descriptor> headBlob(String repository, Digest d) {
            return Optional.of(new Descriptor(d, blob.length, Descriptor.OCTET_STREAM));
        }

        @Override
        public Optional<BlobStream> openBlob(String repository, Digest d, long offset) {
            opens.incrementAndGet();
            byte[] content = blob.clone();
            if (corrupt) {
                content[content.length - 1] ^= 1;
            }
            InputStream slow = new ByteArrayInputStream(content, (int) offset, content.length - (int) offset) {
                @Override
                public synchronized int read(byte[] b, int off, int len) {
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return super.read(b, off, Math.min(len, 32 * 1024));
                }
            };
            return Optional.of(new BlobStream(blob.length, offset, slow));
        }

        @Override
        public Optional<List<String>> tags(String repository) {
            return Optional.empty();
        }

        @Override
        public Optional<byte[]> referrers(String repository, Digest subject, @Nullable String artifactType) {
            return Optional.empty();
        }
    }

    private ProxyBlobStore store(FakeUpstream upstream, String repo) {
        ProxyTarget target = new ProxyTarget(upstream, repo, RepositoryName.of(repo), Duration.ofHours(1), null);
        return new ProxyBlobStore(registry, registry.repository(target.cacheName()).blobs(), target, fetcher, metrics,
                Duration.ofSeconds(5));
    }

    private final Path spool = spoolDir();
    private final BlobFetcher fetcher = new BlobFetcher(registry, spool, Duration.ofSeconds(5), Long.MAX_VALUE, metrics);

    @AfterEach
    void removeSpool() throws IOException {
        try (var files = java.nio.file.Files.walk(spool)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(p);
            }
        }
    }

    private static Path spoolDir() {
        try {
            return java.nio.file.Files.createTempDirectory("hoard-spool-test");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(BlobContent content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (content) {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            while (content.channel().read(buf) >= 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
        }
        return out.toByteArray();
    }

    @Test
    void parallelMissesForOneDigestFetchOnceAcrossRepositories() throws Exception {
        FakeUpstream upstream = new FakeUpstream();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ProxyBlobStore store = store(upstream, i % 2 == 0 ? "library/a" : "library/b");
                results.add(pool.submit((Callable<byte[]>) () -> readAll(store.open(digest, 0))));
            }
            for (Future<byte[]> r : results) {
                assertThat(r.get()).isEqualTo(blob);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(upstream.opens.get()).isEqualTo(1);
        assertThat(metrics.coalesced()).isPositive();
        for (int i = 0; i < 50 && registry.statContent(digest).isEmpty(); i++) {
            Thread.sleep(20);
        }
        assertThat(readAll(store(upstream, "library/c").open(digest, 10))).hasSize(blob.length - 10);
        assertThat(upstream.opens.get()).as("served from storage afterwards, in any repository").isEqualTo(1);
    }

    @Test
    void wrongBytesFailTheReaderAndAreNotStored() {
        FakeUpstream upstream = new FakeUpstream();
        upstream.corrupt = true;
        assertThatThrownBy(() -> readAll(store(upstream, "library/x").open(digest, 0)))
                .isInstanceOf(IOException.class).hasMessageContaining("could not be fetched");
        assertThat(registry.statContent(digest)).isEmpty();
    }
}
