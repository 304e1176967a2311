package io.hoard.proxy;

import io.hoard.model.Digest;
import io.hoard.storage.CacheStorage;
import io.hoard.storage.Manifest;
import io.hoard.storage.Repository;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Builds the cache's repositories: {@link ProxyBlobStore}, {@link ProxyManifestStore} and
 * {@link ProxyTagStore} over the local repository of the same name. Those of configured upstreams
 * are shared by every client, so each is built once and kept; those reached with a client's own
 * credentials are built for the request.
 */
public final class ProxyRepositories {
    private static final int MAX_KEPT = 4096;

    private final CacheStorage storage;
    private final BlobFetcher fetcher;
    private final ProxyMetrics metrics;
    private final Clock clock;
    private final Duration timeout;
    private final @Nullable BlobPrefetch prefetch;
    private final SingleFlight<String, Optional<Manifest>> manifestFetches = new SingleFlight<>();
    private final SingleFlight<String, Optional<Digest>> tagRefreshes = new SingleFlight<>();
    private final TagConfirmations tagConfirmations = new TagConfirmations();
    private final ConcurrentHashMap<ProxyTarget, Repository> shared = new ConcurrentHashMap<>();

    /**
     * @param timeout {@code proxy.timeout}: how long a client waits for a fill to learn the blob's size
     * @param prefetchUpTo {@code proxy.maxblobsize} to fetch the blobs of manifests ahead
     *        ({@code proxy.prefetch}), or 0 not to
     */
    public ProxyRepositories(CacheStorage storage, BlobFetcher fetcher, ProxyMetrics metrics, Clock clock, Duration timeout,
            long prefetchUpTo) {
        this.storage = storage;
        this.fetcher = fetcher;
        this.metrics = metrics;
        this.clock = clock;
        this.timeout = timeout;
        this.prefetch = prefetchUpTo > 0 ? new BlobPrefetch(storage, fetcher, prefetchUpTo) : null;
    }

    Repository of(ProxyTarget target) {
        if (target.gate() != null) {
            return build(target);
        }
        Repository kept = shared.get(target);
        if (kept != null) {
            return kept;
        }
        if (shared.size() >= MAX_KEPT) {
            shared.clear();
        }
        return shared.computeIfAbsent(target, this::build);
    }

    private Repository build(ProxyTarget target) {
        Repository local = storage.repository(target.cacheName());
        ProxyManifestStore manifests = new ProxyManifestStore(storage, local.manifests(), target, manifestFetches, metrics,
                prefetch);
        return new ProxyRepository(target, new ProxyBlobStore(storage, local.blobs(), target, fetcher, metrics, timeout),
                manifests, new ProxyTagStore(storage, local.tags(), target, manifests, tagRefreshes,
                tagConfirmations, metrics, clock));
    }
}
