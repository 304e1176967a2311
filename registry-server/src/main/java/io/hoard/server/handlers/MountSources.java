package io.hoard.server.handlers;

import io.hoard.model.Digest;
import io.hoard.model.RepositoryName;
import io.hoard.storage.CacheStorage;
import io.hoard.storage.Origin;
import java.util.List;
import java.util.Optional;

/**
 * Which repositories a cross-repository mount may take a blob from. Only pushed repositories (or
 * every repository of a plain registry): a cache's content was fetched for the clients its upstream
 * accepts, so it is never mounted into a repository of the client's own, where anyone could read it.
 */
public final class MountSources {
    /** How many repositories an automatic mount looks through before giving up (the client then uploads). */
    private static final int MAX_CANDIDATES = 10_000;

    private final CacheStorage registry;

    public MountSources(CacheStorage registry) {
        this.registry = registry;
    }

    /** True when {@code from} holds {@code digest} and may lend it. */
    boolean mayMountFrom(RepositoryName from, Digest digest) {
        return registry.origin(from) != Origin.CACHED && registry.repository(from).blobs().stat(digest).isPresent();
    }

    /** For {@code ?mount=} without {@code from}: a repository that holds the blob and may lend it. */
    Optional<RepositoryName> holder(Digest digest) {
        if (registry.statContent(digest).isEmpty()) {
            return Optional.empty(); // not stored anywhere: no need to look
        }
        List<String> names = registry.catalog(MAX_CANDIDATES, null);
        for (String name : names) {
            RepositoryName candidate = RepositoryName.of(name);
            if (mayMountFrom(candidate, digest)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
