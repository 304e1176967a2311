package io.hoard.storage;

import io.hoard.model.Digest;
import io.hoard.model.RepositoryName;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What storage said about blobs, kept in memory so that a warm blob lookup costs no storage call
 * beyond opening the file (distribution's {@code storage.cache.blobdescriptor: inmemory}): the size
 * of stored content by digest, and which repositories link it. Content under a digest never
 * changes, so an entry is wrong only after a delete: deletes through this process drop it, and a
 * delete elsewhere (another instance on shared storage) shows when the content cannot be opened,
 * or at once when the instances share a tier ({@link SharedDescriptors}) that announces removals.
 * Bounded: a map that reaches its limit is emptied and refilled by the next lookups.
 */
final class DescriptorCache {
    private record Link(LinkKind kind, RepositoryName repository, Digest digest) {
    }

    private final int maxEntries;
    private final SharedDescriptors shared;
    private final ConcurrentHashMap<Digest, Long> sizes = new ConcurrentHashMap<>();
    /** Each link with the time (nanoTime) it was learned. */
    private final ConcurrentHashMap<Link, Long> links = new ConcurrentHashMap<>();
    /** Digests linked or stored while a sweep runs: it must spare them. */
    private volatile java.util.@org.jspecify.annotations.Nullable Set<Digest> sweepWatch;
    private volatile @org.jspecify.annotations.Nullable Thread sweeper;
    /** How long a remembered link is trusted; {@code Long.MAX_VALUE}: until this process removes it. */
    private final long linkTrustNanos;

    /** @param maxEntries how many sizes and how many links are remembered; 0 turns the cache off */
    /**
     * @param shared the tier behind memory, shared by the instances of a cluster
     * @param linkTrust how long a remembered link is believed without asking storage again: zero for
     *        ever (only this process changes the store, or removals are announced through
     *        {@code shared}); a few seconds where other instances may unlink without telling
     */
    DescriptorCache(int maxEntries, SharedDescriptors shared, java.time.Duration linkTrust) {
        this.maxEntries = maxEntries;
        this.shared = shared;
        this.linkTrustNanos = linkTrust.isZero() ? Long.MAX_VALUE : linkTrust.toNanos();
        shared.onInvalidation(this::forget);
    }

    SharedDescriptors shared() {
        return shared;
    }

    /** The size from memory only (callable on an event loop). */
    Optional<Long> size(Digest digest) {
        return Optional.ofNullable(sizes.get(digest));
    }

    /** The size from memory, else from the shared tier (a network round trip, no storage call). */
    Optional<Long> sizeOrShared(Digest digest) {
        Optional<Long> known = size(digest);
        if (known.isPresent()) {
            return known;
        }
        Optional<Long> remote = shared.size(digest);
        remote.ifPresent(s -> keepSize(digest, s));
        return remote;
    }

    /** Storage said so: kept in memory and in the shared tier. */
    void size(Digest digest, long size) {
        watch(digest);
        keepSize(digest, size);
        shared.size(digest, size);
    }

    private void keepSize(Digest digest, long size) {
        if (maxEntries > 0) {
            bound(sizes);
            sizes.put(digest, size);
        }
    }

    /** From memory only (callable on an event loop). */
    boolean isLinked(LinkKind kind, RepositoryName repository, Digest digest) {
        Long learned = links.get(new Link(kind, repository, digest));
        return learned != null && (linkTrustNanos == Long.MAX_VALUE || System.nanoTime() - learned < linkTrustNanos);
    }

    /** From memory, else the shared tier. */
    boolean isLinkedOrShared(LinkKind kind, RepositoryName repository, Digest digest) {
        if (isLinked(kind, repository, digest)) {
            return true;
        }
        boolean remote = shared.isLinked(kind, repository, digest);
        if (remote) {
            remember(new Link(kind, repository, digest));
        }
        return remote;
    }

    /**
     * Starts recording the digests this process links or stores (or finds linked) until
     * {@link #endSweepWatch}: a sweep that decided from an earlier listing spares them.
     */
    void beginSweepWatch() {
        sweeper = Thread.currentThread();
        sweepWatch = ConcurrentHashMap.newKeySet();
    }

    /** Whether {@code digest} was linked or stored since {@link #beginSweepWatch}. */
    boolean touchedDuringSweep(Digest digest) {
        java.util.Set<Digest> watch = sweepWatch;
        return watch != null && watch.contains(digest);
    }

    void endSweepWatch() {
        sweepWatch = null;
    }

    private void watch(Digest digest) {
        java.util.Set<Digest> watch = sweepWatch;
        if (watch != null && Thread.currentThread() != sweeper) { // the sweep's own lookups do not count
            watch.add(digest);
        }
    }

    /** Storage said so (or this process just wrote the link). */
    void linked(LinkKind kind, RepositoryName repository, Digest digest) {
        watch(digest);
        remember(new Link(kind, repository, digest));
        shared.linked(kind, repository, digest);
    }

    void unlinked(LinkKind kind, RepositoryName repository, Digest digest) {
        links.remove(new Link(kind, repository, digest));
        shared.unlinked(kind, repository, digest);
    }

    private void forget(SharedDescriptors.Invalidation gone) {
        switch (gone) {
            case SharedDescriptors.Invalidation.Unlinked u -> links.remove(new Link(u.kind(), u.repository(), u.digest()));
            case SharedDescriptors.Invalidation.ContentGone c -> sizes.remove(c.digest());
        }
    }

    private void remember(Link link) {
        if (maxEntries > 0) {
            bound(links);
            links.put(link, System.nanoTime());
        }
    }

    /** The content is gone from storage (deleted here or by another instance). */
    void contentGone(Digest digest) {
        sizes.remove(digest);
        shared.contentGone(digest);
    }

    private void bound(ConcurrentHashMap<?, ?> map) {
        if (map.size() >= maxEntries) {
            map.clear();
        }
    }
}
