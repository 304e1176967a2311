package io.hoard.storage;

import io.hoard.model.Digest;
import java.util.concurrent.ConcurrentHashMap;

/** Blobs being streamed to clients by this process right now: eviction leaves them for a later run. */
public final class BlobUse {
    private final ConcurrentHashMap<Digest, Integer> streams = new ConcurrentHashMap<>();

    /** A stream of {@code digest} begins; {@link #release} it when it ends. */
    public void acquire(Digest digest) {
        streams.merge(digest, 1, Integer::sum);
    }

    public void release(Digest digest) {
        streams.computeIfPresent(digest, (d, n) -> n <= 1 ? null : n - 1);
    }

    public boolean inUse(Digest digest) {
        return streams.containsKey(digest);
    }
}
