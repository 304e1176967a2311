package io.hoard.storage;

import static io.hoard.storage.PathSpec.pathFor;

import io.hoard.model.RepositoryName;
import io.hoard.storage.driver.StorageDriver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hash states in the store, at {@code _uploads/<id>/hashstates/sha256/<offset>}, with Bouncy
 * Castle's SHA-256, whose state can be exported and restored (the JDK's cannot): any instance
 * continues a session where another stopped. The states go with the session's directory.
 */
final class StoredUploadHashes implements UploadHashes {
    private static final Logger LOG = LoggerFactory.getLogger(StoredUploadHashes.class);

    private final StorageDriver driver;

    StoredUploadHashes(StorageDriver driver) {
        this.driver = driver;
    }

    @Override
    public RunningHash fresh() {
        return new Bc(new SHA256Digest());
    }

    @Override
    public Optional<RunningHash> take(RepositoryName name, String id, long offset) {
        try {
            byte[] state = driver.getContent(pathFor(new PathSpec.UploadHashState(name, id, offset)));
            return Optional.of(new Bc(new SHA256Digest(state)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // none saved (or unreadable): the commit rehashes
        }
    }

    @Override
    public void keep(RepositoryName name, String id, long offset, RunningHash hash) {
        if (hash instanceof Bc bc) {
            try {
                driver.putContent(pathFor(new PathSpec.UploadHashState(name, id, offset)), bc.sha.getEncodedState());
            } catch (IOException e) {
                LOG.debug("could not save the hash state of upload {}: {}", id, e.getMessage());
            }
        }
    }

    private record Bc(SHA256Digest sha) implements RunningHash {
        @Override
        public void update(ByteBuffer bytes) {
            if (bytes.hasArray()) {
                sha.update(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
                bytes.position(bytes.limit());
            } else {
                byte[] chunk = new byte[Math.min(bytes.remaining(), 64 * 1024)];
                while (bytes.hasRemaining()) {
                    int n = Math.min(chunk.length, bytes.remaining());
                    bytes.get(chunk, 0, n);
                    sha.update(chunk, 0, n);
                }
            }
        }

        @Override
        public byte[] digest() {
            byte[] out = new byte[sha.getDigestSize()];
            sha.doFinal(out, 0);
            return out;
        }
    }
}
