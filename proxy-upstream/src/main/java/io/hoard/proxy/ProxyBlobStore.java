package io.hoard.proxy;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.storage.BlobContent;
import io.hoard.storage.BlobStore;
import io.hoard.storage.CacheStorage;
import io.hoard.upstream.UpstreamException;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * Blobs of a proxied repository. Content is immutable, so anything stored under the digest is
 * served without asking the upstream (not even a token request), whichever repository fetched it;
 * a miss joins or starts the single {@link BlobFill} for the digest and streams from it.
 */
final class ProxyBlobStore implements BlobStore {
    private final CacheStorage registry;
    private final BlobStore local;
    private final ProxyTarget target;
    private final BlobFetcher fetcher;
    private final ProxyMetrics metrics;
    private final Duration timeout;

    ProxyBlobStore(CacheStorage registry, BlobStore local, ProxyTarget target, BlobFetcher fetcher, ProxyMetrics metrics,
            Duration timeout) {
        this.registry = registry;
        this.local = local;
        this.target = target;
        this.fetcher = fetcher;
        this.metrics = metrics;
        this.timeout = timeout;
    }

    @Override
    public Optional<Descriptor> stat(Digest digest) {
        Optional<Optional<Descriptor>> cached = cached(digest);
        if (cached.isPresent()) {
            return cached.get();
        }
        // Being downloaded (or committed) right now: the fill knows the size.
        Optional<Long> inflight = fetcher.inflightSize(digest);
        if (inflight.isPresent()) {
            return Optional.of(new Descriptor(digest, inflight.get(), Descriptor.OCTET_STREAM));
        }
        // A HEAD miss asks the upstream, but does not download the blob.
        try {
            return target.upstream().headBlob(target.remoteName(), digest);
        } catch (UpstreamException e) {
            throw UpstreamErrors.toClient(e, "blob " + digest, target);
        }
    }

    /** From memory only for configured upstreams: under proxy.on the client's access is checked first. */
    @Override
    public Optional<Descriptor> statInMemory(Digest digest) {
        return target.gate() == null ? local.statInMemory(digest) : Optional.empty();
    }

    @Override
    public BlobContent open(Digest digest, long offset) {
        Optional<Optional<Descriptor>> cached = cached(digest);
        if (cached.isPresent()) {
            if (cached.get().isEmpty()) {
                throw unknown(digest);
            }
            metrics.blobHits.increment();
            return local.open(digest, offset);
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            if (fetcher.runningForOthers(digest, target) && !target.upstreamHas(() -> headBlob(digest), "blob " + digest)) {
                // Another repository (or client) is fetching these bytes: join only where this one has them too.
                throw unknown(digest);
            }
            BlobFill fill = fetcher.fetch(digest, target);
            long size = fill.awaitSize(timeout.plusSeconds(5));
            if (offset > size) {
                throw new RegistryException(ErrorCode.RANGE_INVALID, "offset " + offset + " is beyond blob " + digest
                        + " of " + size + " bytes");
            }
            try {
                SpoolChannel channel = fill.reader(offset);
                if (channel != null) {
                    return new BlobContent(new Descriptor(digest, size, Descriptor.OCTET_STREAM), channel, offset);
                }
            } catch (IOException e) {
                throw new RegistryException(ErrorCode.UNKNOWN, "cannot read spool of " + digest + ": " + e, e);
            }
            // The fill finished between fetch and reader: it is in storage now (linked here, or being linked).
            Optional<Optional<Descriptor>> stored = cached(digest);
            if (stored.isPresent() && stored.get().isPresent()) {
                return local.open(digest, offset);
            }
        }
        throw new RegistryException(ErrorCode.UNAVAILABLE, "blob " + digest + " could not be fetched");
    }

    /** Stored blobs may be redirected to; a miss is filled and streamed by {@link #open}. */
    @Override
    public Optional<java.net.URI> redirect(Digest digest) {
        Optional<Optional<Descriptor>> cached = cached(digest);
        return cached.isPresent() && cached.get().isPresent() ? local.redirect(digest) : Optional.empty();
    }

    /**
     * What the cache can say without a fill: empty when the blob is not stored at all (a miss);
     * else the blob when this client may have it here, or an empty descriptor when the upstream
     * says this repository does not have it. Stored content is linked into another repository only
     * once that repository's upstream confirms it (a HEAD): a layer fetched for one repository, or
     * with one client's credentials, is never served under a name that does not hold it.
     */
    private Optional<Optional<Descriptor>> cached(Digest digest) {
        Optional<Descriptor> linked = local.stat(digest);
        String what = "blob " + digest + " of " + target.remoteName();
        if (linked.isPresent()) {
            return Optional.of(target.mayServeCached(() -> headBlob(digest), what) ? linked : Optional.empty());
        }
        if (registry.statContent(digest).isEmpty()) {
            return Optional.empty();
        }
        if (fetcher.runningFor(digest, target)) {
            // This repository's own fill is committing it right now (stored, not linked yet).
            return Optional.of(registry.linkBlob(target.cacheName(), digest));
        }
        return Optional.of(target.upstreamHas(() -> headBlob(digest), what) ? registry.linkBlob(target.cacheName(), digest)
                : Optional.empty());
    }

    private boolean headBlob(Digest digest) {
        return target.upstream().headBlob(target.remoteName(), digest).isPresent();
    }

    private RegistryException unknown(Digest digest) {
        return new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in " + target.remoteName() + " on "
                + target.upstream().name());
    }

    @Override
    public Optional<Descriptor> mount(Digest digest, RepositoryName from) {
        throw ProxyRepository.readOnly(target);
    }

    @Override
    public void delete(Digest digest) {
        throw ProxyRepository.readOnly(target);
    }
}
