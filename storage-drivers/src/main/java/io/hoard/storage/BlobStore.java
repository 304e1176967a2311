package io.hoard.storage;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.RepositoryName;
import java.util.Optional;

/** The blobs linked into one repository. All methods throw {@link io.hoard.model.RegistryException}. */
public interface BlobStore {

    /** The blob's descriptor (media type {@code application/octet-stream}), when it is linked here. */
    Optional<Descriptor> stat(Digest digest);

    /**
     * The blob's descriptor when memory alone can say it is linked here (no storage or upstream
     * call, so it may be asked from an event loop); empty means "ask {@link #stat}", not "absent".
     */
    default Optional<Descriptor> statInMemory(Digest digest) {
        return Optional.empty();
    }

    /**
     * The blob's bytes from {@code offset}; the caller closes the result.
     *
     * @throws io.hoard.model.RegistryException {@code BLOB_UNKNOWN} when the blob is not linked here,
     *         {@code RANGE_INVALID} when {@code offset} is beyond its end
     */
    BlobContent open(Digest digest, long offset);

    /**
     * A URL the client may fetch the blob's bytes from directly (a presigned object-store URL), when
     * the blob is linked here, stored whole, and the store offers such URLs; empty means "serve it".
     */
    default Optional<java.net.URI> redirect(Digest digest) {
        return Optional.empty();
    }

    /**
     * Links a blob that repository {@code from} has into this one (cross-repository mount).
     *
     * @return the blob's descriptor, or empty when {@code from} does not have it
     */
    Optional<Descriptor> mount(Digest digest, RepositoryName from);

    /**
     * Unlinks the blob from this repository. The content stays until garbage collection finds it
     * unreferenced.
     *
     * @throws io.hoard.model.RegistryException {@code BLOB_UNKNOWN} when the blob is not linked here
     */
    void delete(Digest digest);
}
