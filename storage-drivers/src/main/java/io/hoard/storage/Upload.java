package io.hoard.storage;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import java.nio.ByteBuffer;

/**
 * One blob upload session, as seen by one request. Bytes are appended with {@link #write}; the
 * request ends with {@link #close()} (keep the session for the next request), {@link #commit} or
 * {@link #cancel()}. Nothing written becomes visible as a blob before a successful commit.
 */
public interface Upload extends AutoCloseable {

    /** The session id, used in upload URLs. */
    String id();

    /** Bytes received so far over all requests of the session. */
    long size();

    /** Appends all of {@code bytes}. @throws io.hoard.model.RegistryException on storage failure */
    void write(ByteBuffer bytes);

    /**
     * Verifies that the content has {@code expected} digest, stores it under that digest, links it
     * into the repository and ends the session. On a digest mismatch the session is cancelled and
     * nothing is stored.
     *
     * @throws io.hoard.model.RegistryException {@code DIGEST_INVALID} on a mismatch
     */
    Descriptor commit(Digest expected);

    /** Ends the session and discards what was uploaded. */
    void cancel();

    /** Ends this request's use of the session, keeping what was written. */
    @Override
    void close();
}
