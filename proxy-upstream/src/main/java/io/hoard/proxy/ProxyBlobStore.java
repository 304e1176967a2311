package io.hoard.proxy;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.storage.BlobContent;
import io.hoard.storage.BlobStore;
import io.hoard.storage.DriverRegistry;
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
    private final DriverRegistry registry;
    private final BlobStore local;
    private final ProxyTarget target;
    private final BlobFetcher fetcher;
    private final ProxyMetrics metrics;
    private final Duration timeout;

    ProxyBlobStore(DriverRegistry registry, ProxyTarget target, BlobFetcher fetcher, ProxyMetrics metrics, Duration timeout) {
        this.registry = registry;
        this.local = registry.repository(target.cacheName()).blobs();
        this.target = target;
        this.fetcher = fetcher;
        this.metrics = metrics;
        this.timeout = timeout;
    }

    @Override
    public Optional<Descriptor> stat(Digest digest) {
        Optional<Descriptor> cached = cached(digest);
        if (cached.isPresent()) {
            return cached;
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
            throw UpstreamErrors.toClient(e, "blob " + digest, target.clientCredentials());
        }
    }

    @Override
    public BlobContent open(Digest digest, long offset) {
        if (cached(digest).isPresent()) {
            metrics.blobHits.increment();
            return local.open(digest, offset);
        }
        for (int attempt = 0; attempt < 3; attempt++) {
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
            // The fill finished between fetch and reader: it is in storage now.
            if (cached(digest).isPresent()) {
                return local.open(digest, offset);
            }
        }
        throw new RegistryException(ErrorCode.UNAVAILABLE, "blob " + digest + " could not be fetched");
    }

    private Optional<Descriptor> cached(Digest digest) {
        Optional<Descriptor> linked = local.stat(digest);
        return linked.isPresent() ? linked : registry.linkBlob(target.cacheName(), digest);
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
