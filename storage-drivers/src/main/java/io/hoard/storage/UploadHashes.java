package io.hoard.storage;

import io.hoard.model.RepositoryName;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Where the running sha256 of an upload session waits between the session's requests, so a commit
 * need not read the data back. {@link InMemory} serves a store only this process writes (the JDK's
 * digest, the fastest here); {@link Stored} serves a store shared by several instances, where the
 * next PATCH or the PUT may reach another instance: the state is saved in the store beside the data,
 * as distribution saves its hashstates. Without a state the commit rehashes the data, which is
 * always correct.
 */
interface UploadHashes {

    /** A running digest of a session's data. */
    interface RunningHash {
        void update(ByteBuffer bytes);

        /** The digest of everything so far; the hash is spent afterwards. */
        byte[] digest();
    }

    /** A digest of nothing. */
    RunningHash fresh();

    /** The digest of the first {@code offset} bytes of session {@code id}, if kept; the caller now owns it. */
    Optional<RunningHash> take(RepositoryName name, String id, long offset);

    /** Keeps {@code hash}, the digest of the first {@code offset} bytes of session {@code id}, for its next request. */
    void keep(RepositoryName name, String id, long offset, RunningHash hash);

    /** Forgets what is kept for a session that was purged (stored states went with its directory). */
    default void forget(String id) {
    }

    /** Stores only this process writes keep states in memory; shared ones in the store. */
    static UploadHashes forDriver(io.hoard.storage.driver.StorageDriver driver) {
        return driver.sharedByProcesses() ? new StoredUploadHashes(driver) : new InMemoryUploadHashes();
    }
}
