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
 * delete elsewhere (another instance on shared storage) shows when the content cannot be opened.
 * Bounded: a map that reaches its limit is emptied and refilled by the next lookups.
 */
final class DescriptorCache {
    /** What a repository links content as: a layer (or config) blob, or a manifest revision. */
    enum Kind { BLOB, MANIFEST }

    private record Link(Kind kind, RepositoryName repository, Digest digest) {
    }

    private final int maxEntries;
    private final ConcurrentHashMap<Digest, Long> sizes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Link, Boolean> links = new ConcurrentHashMap<>();

    /** @param maxEntries how many sizes and how many links are remembered; 0 turns the cache off */
    DescriptorCache(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    Optional<Long> size(Digest digest) {
        return Optional.ofNullable(sizes.get(digest));
    }

    void size(Digest digest, long size) {
        if (maxEntries > 0) {
            bound(sizes);
            sizes.put(digest, size);
        }
    }

    boolean isLinked(Kind kind, RepositoryName repository, Digest digest) {
        return links.containsKey(new Link(kind, repository, digest));
    }

    void linked(Kind kind, RepositoryName repository, Digest digest) {
        remember(new Link(kind, repository, digest));
    }

    void unlinked(Kind kind, RepositoryName repository, Digest digest) {
        links.remove(new Link(kind, repository, digest));
    }

    private void remember(Link link) {
        if (maxEntries > 0) {
            bound(links);
            links.put(link, Boolean.TRUE);
        }
    }

    /** The content is gone from storage (deleted here or by another instance). */
    void contentGone(Digest digest) {
        sizes.remove(digest);
    }

    private void bound(ConcurrentHashMap<?, ?> map) {
        if (map.size() >= maxEntries) {
            map.clear();
        }
    }
}
