package io.hoard.proxy;

import io.hoard.model.Digest;
import io.hoard.model.RepositoryName;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which digest each cached tag pointed at when the upstream last confirmed it, and when, kept in
 * memory: a tag within its TTL is answered without any storage call. Storage keeps the same facts
 * (the tag link and its modification time), read once after a restart.
 */
final class TagConfirmations {
    private static final int MAX_ENTRIES = 50_000;

    record Confirmed(Digest digest, Instant at) {
    }

    private record Key(RepositoryName repository, String tag) {
    }

    private final ConcurrentHashMap<Key, Confirmed> confirmed = new ConcurrentHashMap<>();

    Optional<Confirmed> get(RepositoryName repository, String tag) {
        return Optional.ofNullable(confirmed.get(new Key(repository, tag)));
    }

    void put(RepositoryName repository, String tag, Confirmed c) {
        if (confirmed.size() >= MAX_ENTRIES) {
            confirmed.clear();
        }
        confirmed.put(new Key(repository, tag), c);
    }

    void forget(RepositoryName repository, String tag) {
        confirmed.remove(new Key(repository, tag));
    }
}
