package io.hoard.storage;

import io.hoard.model.DigestAlgorithm;
import io.hoard.model.RepositoryName;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hash states in this process's memory, with the JDK's SHA-256 (CPU instructions where the CPU has
 * them). Sessions that are never committed leave an entry until the next restart; there are at most
 * as many as open sessions, each a few hundred bytes.
 */
final class InMemoryUploadHashes implements UploadHashes {
    private record Kept(long offset, MessageDigest digest) {
    }

    private final Map<String, Kept> kept = new ConcurrentHashMap<>();

    @Override
    public RunningHash fresh() {
        return wrap(DigestAlgorithm.SHA256.newMessageDigest());
    }

    @Override
    public Optional<RunningHash> take(RepositoryName name, String id, long offset) {
        // Taken, not read: a concurrent request on the same session finds none and rehashes at commit.
        Kept k = kept.remove(id);
        return k != null && k.offset() == offset ? Optional.of(wrap(k.digest())) : Optional.empty();
    }

    @Override
    public void keep(RepositoryName name, String id, long offset, RunningHash hash) {
        if (hash instanceof Jdk jdk) {
            kept.put(id, new Kept(offset, jdk.md));
        }
    }

    @Override
    public void forget(String id) {
        kept.remove(id);
    }

    private static RunningHash wrap(MessageDigest md) {
        return new Jdk(md);
    }

    private record Jdk(MessageDigest md) implements RunningHash {
        @Override
        public void update(ByteBuffer bytes) {
            md.update(bytes);
        }

        @Override
        public byte[] digest() {
            return md.digest();
        }
    }
}
