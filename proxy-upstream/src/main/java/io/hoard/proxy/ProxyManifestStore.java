package io.hoard.proxy;

import io.hoard.model.Digest;
import io.hoard.model.DigestAlgorithm;
import io.hoard.model.RegistryException;
import io.hoard.storage.CacheStorage;
import io.hoard.storage.Manifest;
import io.hoard.storage.ManifestParser;
import io.hoard.storage.ManifestStore;
import io.hoard.storage.Origin;
import io.hoard.storage.Referrer;
import io.hoard.upstream.UpstreamException;
import io.hoard.upstream.UpstreamManifest;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Manifests of a proxied repository. By digest they are immutable: cached forever, and fetched
 * (once, for all concurrent callers) only when no repository has them. Tags are the
 * {@link ProxyTagStore}'s business.
 */
final class ProxyManifestStore implements ManifestStore {
    private final CacheStorage registry;
    private final ManifestStore local;
    private final ProxyTarget target;
    private final SingleFlight<String, Optional<Manifest>> fetches;
    private final ProxyMetrics metrics;
    private final int maxManifestBytes;
    private final @Nullable BlobPrefetch prefetch;

    ProxyManifestStore(CacheStorage registry, ManifestStore local, ProxyTarget target,
            SingleFlight<String, Optional<Manifest>> fetches, ProxyMetrics metrics, @Nullable BlobPrefetch prefetch) {
        this.registry = registry;
        this.local = local;
        this.target = target;
        this.fetches = fetches;
        this.metrics = metrics;
        this.maxManifestBytes = registry.maxManifestBytes();
        this.prefetch = prefetch;
    }

    @Override
    public Optional<Manifest> get(Digest digest) {
        String what = "manifest " + target.remoteName() + "@" + digest;
        Optional<Manifest> cached = local.get(digest);
        if (cached.isPresent()) {
            metrics.manifestHits.increment();
            return target.mayServeCached(() -> headManifest(digest), what) ? cached : Optional.empty();
        }
        Optional<byte[]> elsewhere = registry.content(digest).filter(c -> Digest.of(digest.algorithm(), c).equals(digest));
        if (elsewhere.isPresent()) {
            // Cached for another repository: shared only where this repository's upstream has it too.
            if (!target.upstreamHas(() -> headManifest(digest), what)) {
                return Optional.empty();
            }
            try {
                metrics.manifestHits.increment();
                return Optional.of(store(elsewhere.get(), digest));
            } catch (RegistryException notAManifest) {
                // a layer with that digest, not a manifest: fetch it
            }
        }
        return fetches.run(target.flightKey(target.cacheName() + "@" + digest), () -> fetch(digest));
    }

    /** Served from memory only for configured upstreams: under proxy.on the client's access is checked first. */
    @Override
    public Optional<Manifest> getInMemory(Digest digest) {
        if (target.gate() != null) {
            return Optional.empty();
        }
        Optional<Manifest> m = local.getInMemory(digest);
        m.ifPresent(hit -> metrics.manifestHits.increment());
        return m;
    }

    private boolean headManifest(Digest digest) {
        return target.upstream().headManifest(target.remoteName(), digest.toString()).isPresent();
    }

    private Optional<Manifest> fetch(Digest digest) {
        metrics.manifestMisses.increment();
        Optional<UpstreamManifest> fetched;
        try {
            fetched = target.upstream().getManifest(target.remoteName(), digest.toString(), maxManifestBytes);
        } catch (UpstreamException e) {
            throw UpstreamErrors.toClient(e, "manifest " + target.remoteName() + "@" + digest, target);
        }
        if (target.gate() != null) {
            target.gate().confirmed(target.upstream(), target.remoteName());
        }
        if (fetched.isEmpty()) {
            return Optional.empty();
        }
        byte[] content = fetched.get().content();
        if (!Digest.of(digest.algorithm(), content).equals(digest)) {
            throw UpstreamErrors.toClient(new UpstreamException(UpstreamException.Kind.PROTOCOL, target.upstream().name()
                    + " sent a manifest that does not match " + digest), "manifest " + digest, target);
        }
        return Optional.of(fetched(store(content, digest)));
    }

    /** Stores a manifest fetched by tag (the client computed its digest from the bytes) and returns it. */
    Manifest storeFetched(UpstreamManifest fetched) {
        return fetched(store(fetched.content(), fetched.digest()));
    }

    /** A manifest just fetched from upstream: its blobs are fetched ahead when that is on. */
    private Manifest fetched(Manifest m) {
        if (prefetch != null) {
            prefetch.after(m, target);
        }
        return m;
    }

    private Manifest store(byte[] content, Digest digest) {
        Manifest m = local.cache(content, digest);
        // A repository is filled from upstream only when it holds no pushed content; a LOCAL mark
        // there is left from a push that never completed.
        if (registry.origin(target.cacheName()) != Origin.CACHED) {
            registry.markOrigin(target.cacheName(), Origin.CACHED);
        }
        return m;
    }

    @Override
    public boolean exists(Digest digest) {
        return get(digest).isPresent();
    }

    @Override
    public Manifest put(byte[] content, @Nullable String contentType, DigestAlgorithm algorithm) {
        throw ProxyRepository.readOnly(target);
    }

    @Override
    public Manifest cache(byte[] content, Digest digest) {
        return store(content, digest);
    }

    @Override
    public void delete(Digest digest) {
        throw ProxyRepository.readOnly(target);
    }

    /**
     * The upstream's referrers when it can say, else what is cached. Under {@code proxy.on} a refusal
     * is the client's answer, and what is cached goes only to a client accepted recently.
     */
    @Override
    public List<Referrer> referrers(Digest subject, @Nullable String artifactType) {
        try {
            Optional<byte[]> index = target.upstream().referrers(target.remoteName(), subject, artifactType);
            if (index.isPresent()) {
                if (target.gate() != null) {
                    target.gate().confirmed(target.upstream(), target.remoteName());
                }
                return parse(index.get(), artifactType);
            }
            // No referrers API upstream (a 404 that says nothing of the client): what is cached goes
            // to a client only as far as the upstream lets it see the subject.
            if (!target.mayServeCached(() -> headManifest(subject), "referrers of " + subject)) {
                return List.of();
            }
        } catch (UpstreamException e) {
            if (target.gate() != null && !target.gate().outage(e)) {
                throw UpstreamErrors.toClient(e, "referrers of " + subject, target);
            }
        }
        return local.referrers(subject, artifactType);
    }

    private static List<Referrer> parse(byte[] index, @Nullable String artifactType) {
        return ManifestParser.indexEntries(index).stream()
                .filter(e -> artifactType == null || artifactType.equals(e.artifactType()))
                .map(e -> new Referrer(e.descriptor(), e.artifactType(), e.annotations())).toList();
    }
}
