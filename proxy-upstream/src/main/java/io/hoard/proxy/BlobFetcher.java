package io.hoard.proxy;

import io.hoard.model.Digest;
import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.storage.CacheStorage;
import io.hoard.storage.Origin;
import io.hoard.model.Descriptor;
import io.hoard.storage.BlobContent;
import java.io.IOException;
import java.net.URI;
import java.util.function.Function;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills blobs from upstreams, once per digest however many clients ask at the same time and through
 * whichever repositories: the first request starts a {@link BlobFill} on its own virtual thread (so it
 * completes even when every client goes away); later ones join it. A fill verified while streaming is
 * committed by handing its spool file to the storage driver (a rename on the filesystem), linked into
 * every repository that asked for it, and only then forgotten, so a request arriving meanwhile still
 * joins it.
 */
public final class BlobFetcher {
    private static final Logger LOG = LoggerFactory.getLogger(BlobFetcher.class);
    /** How long a fill streamed from another instance waits for that instance to commit the blob. */
    private static final Duration COMMIT_WAIT = Duration.ofMinutes(30);

    private final CacheStorage registry;
    private final Path spoolDir;
    private final Duration stallTimeout;
    private final long maxBlobSize;
    private final ProxyMetrics metrics;
    private final ConcurrentHashMap<Digest, Running> running = new ConcurrentHashMap<>();
    private final FillLeases leases;
    private final Function<URI, PeerSource> peers;

    /**
     * @param linkInto caches to link the blob into (marked as cached)
     * @param stageInto repositories of admin copies to link it into, whose origin is left alone
     * @param done completed when the fill has ended, committed or failed
     */
    private record Running(BlobFill fill, Set<RepositoryName> linkInto, Set<RepositoryName> stageInto,
            java.util.concurrent.CompletableFuture<Void> done) {
    }

    /**
     * @param spoolDir where downloads are spooled: beside the data when storage is local, so a commit is a rename
     * @param stallTimeout {@code proxy.timeout}: how long an upstream may send nothing before the download is resumed
     * @param maxBlobSize {@code proxy.maxblobsize}
     */
    public BlobFetcher(CacheStorage registry, Path spoolDir, Duration stallTimeout, long maxBlobSize, ProxyMetrics metrics) {
        this(registry, spoolDir, stallTimeout, maxBlobSize, metrics, FillLeases.NONE, peer -> (digest, offset) -> {
            throw new IOException("no cluster");
        });
    }

    /**
     * A fetcher in a cluster: each fill first claims its digest in {@code leases}; when another
     * instance holds it, the fill streams from that instance ({@code peers} reaches it) and falls
     * back to the upstream only if that instance stops answering.
     */
    public BlobFetcher(CacheStorage registry, Path spoolDir, Duration stallTimeout, long maxBlobSize, ProxyMetrics metrics,
            FillLeases leases, Function<URI, PeerSource> peers) {
        this.leases = leases;
        this.peers = peers;
        this.registry = registry;
        this.spoolDir = spoolDir;
        this.stallTimeout = stallTimeout;
        this.maxBlobSize = maxBlobSize;
        this.metrics = metrics;
    }

    /** Fills running now (downloading or committing). */
    public int fillsInFlight() {
        return running.size();
    }

    /** The size of a blob being fetched right now, once the upstream has said it. */
    Optional<Long> inflightSize(Digest digest) {
        Running r = running.get(digest);
        if (r == null || r.fill().state() == BlobFill.State.FAILED || r.fill().state() == BlobFill.State.STARTING) {
            return Optional.empty();
        }
        return Optional.of(r.fill().size());
    }

    /**
     * True when a fill of {@code digest} is running for another repository or another client than
     * {@code target}'s: joining it must first be confirmed by {@code target}'s upstream.
     */
    boolean runningForOthers(Digest digest, ProxyTarget target) {
        Running r = running.get(digest);
        return r != null && r.fill().state() != BlobFill.State.FAILED && !sameRequester(r.fill().target(), target);
    }

    /** True when a fill of {@code digest} for {@code target}'s repository and client is running (or committing). */
    boolean runningFor(Digest digest, ProxyTarget target) {
        Running r = running.get(digest);
        return r != null && r.fill().state() != BlobFill.State.FAILED && sameRequester(r.fill().target(), target);
    }

    private static boolean sameRequester(ProxyTarget owner, ProxyTarget target) {
        return owner.cacheName().equals(target.cacheName()) && java.util.Objects.equals(owner.clientKey(), target.clientKey());
    }

    /** The fill for {@code digest}, joined or started; it will be linked into {@code target.cacheName()}. */
    BlobFill fetch(Digest digest, ProxyTarget target) {
        return fetch(digest, target, false);
    }

    /**
     * Starts the fill of {@code digest} for {@code target} ahead of any client, unless one is under
     * way: a client asking later joins it.
     */
    BlobFill prefetch(Digest digest, ProxyTarget target) {
        return fetch(digest, target, true);
    }

    private BlobFill fetch(Digest digest, ProxyTarget target, boolean ahead) {
        return start(digest, target, ahead, false).fill();
    }

    /**
     * Fetches {@code digest} from {@code source} for an admin copy into {@code source.cacheName()}
     * (joining a fill under way) and waits until it is stored and linked there; the repository's
     * origin is left as the copy recorded it.
     *
     * @throws RegistryException when the fill failed (the message says why)
     */
    public void stage(Digest digest, ProxyTarget source) {
        Running r = start(digest, source, false, true);
        r.done().join();
        if (r.fill().state() == BlobFill.State.FAILED || registry.statContent(digest).isEmpty()) {
            RuntimeException failure = r.fill().failure();
            throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "fetching blob " + digest + " from "
                    + source.upstream().name() + " failed" + (failure == null ? "" : ": " + failure.getMessage()));
        }
        registry.linkBlob(source.cacheName(), digest); // also when the fill was joined after it linked
    }

    private Running start(Digest digest, ProxyTarget target, boolean ahead, boolean staging) {
        while (true) {
            Running existing = running.get(digest);
            if (existing != null && existing.fill().state() != BlobFill.State.FAILED) {
                (staging ? existing.stageInto() : existing.linkInto()).add(target.cacheName());
                if (!ahead) {
                    metrics.coalesced.increment();
                }
                return existing;
            }
            Running mine;
            try {
                mine = new Running(new BlobFill(digest, target, Files.createDirectories(spoolDir), stallTimeout, maxBlobSize),
                        ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet(),
                        new java.util.concurrent.CompletableFuture<>());
            } catch (IOException e) {
                throw new RegistryException(ErrorCode.UNKNOWN, "cannot create a spool file in " + spoolDir + ": " + e, e);
            }
            (staging ? mine.stageInto() : mine.linkInto()).add(target.cacheName());
            boolean won = existing == null ? running.putIfAbsent(digest, mine) == null : running.replace(digest, existing, mine);
            if (!won) {
                mine.fill().deleteSpool();
                continue;
            }
            (ahead ? metrics.prefetches : metrics.blobMisses).increment();
            Thread.ofVirtual().name("hoard-fill-" + digest.hex().substring(0, 12)).start(() -> complete(digest, mine));
            return mine;
        }
    }

    private void complete(Digest digest, Running r) {
        FillLeases.Claim claim = leases.claim(digest);
        try {
            if (claim instanceof FillLeases.Claim.HeldBy held) {
                r.fill().fromPeer(peers.apply(held.peer()));
            }
            r.fill().download();
            if (claim instanceof FillLeases.Claim.HeldBy held && r.fill().servedByPeer()) {
                // The instance that fetched it commits it: wait for that, then only link here. If it
                // died before committing, the bytes verified here are committed here.
                awaitRelease(digest, held.holder());
                if (registry.statContent(digest).isPresent()) {
                    linkEverywhere(digest, r);
                    return;
                }
            }
            commit(digest, r);
        } catch (RuntimeException e) {
            metrics.fillFailures.increment();
            LOG.warn("fill of blob {} from {} failed: {}", digest, r.fill().target().upstream().name(), e.getMessage());
        } finally {
            if (claim instanceof FillLeases.Claim.Owner owner) {
                owner.lease().close();
            }
            running.remove(digest, r);
            r.fill().deleteSpool();
            r.done().complete(null);
        }
    }

    /** Waits (bounded) while {@code holder} holds the lease of {@code digest}: its commit runs. */
    private void awaitRelease(Digest digest, String holder) {
        long deadline = System.nanoTime() + COMMIT_WAIT.toNanos();
        try {
            while (leases.heldBy(digest, holder) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The fill of {@code digest} running here, read from {@code offset}, for another instance of the
     * cluster (the peer route); empty when none runs (or it has just been committed).
     */
    public Optional<BlobContent> readForPeer(Digest digest, long offset) {
        Running r = running.get(digest);
        if (r == null || r.fill().state() == BlobFill.State.FAILED || r.fill().servedByPeer()) {
            return Optional.empty();
        }
        long size = r.fill().awaitSize(stallTimeout.plusSeconds(5));
        if (offset < 0 || offset > size) {
            throw new RegistryException(ErrorCode.RANGE_INVALID, "offset " + offset + " is outside blob " + digest
                    + " of " + size + " bytes");
        }
        try {
            SpoolChannel channel = r.fill().reader(offset);
            return channel == null ? Optional.empty()
                    : Optional.of(new BlobContent(new Descriptor(digest, size, Descriptor.OCTET_STREAM), channel, offset));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Stores the verified spool under its digest — a rename when the spool is on the storage's
     * filesystem — and links it everywhere asked. Readers still streaming keep their open file.
     */
    private void commit(Digest digest, Running r) {
        registry.importVerified(r.fill().target().cacheName(), digest, r.fill().spool());
        linkEverywhere(digest, r);
    }

    private void linkEverywhere(Digest digest, Running r) {
        for (RepositoryName name : r.stageInto()) {
            registry.linkBlob(name, digest);
        }
        for (RepositoryName name : r.linkInto()) {
            registry.linkBlob(name, digest);
            if (registry.origin(name) != Origin.CACHED) {
                registry.markOrigin(name, Origin.CACHED);
            }
        }
    }
}
