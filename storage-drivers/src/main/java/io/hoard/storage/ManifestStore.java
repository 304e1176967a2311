package io.hoard.storage;

import io.hoard.model.Digest;
import io.hoard.model.DigestAlgorithm;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The manifests stored in one repository. All methods throw {@link io.hoard.model.RegistryException}. */
public interface ManifestStore {

    /** The manifest with this digest, when the repository holds it. */
    Optional<Manifest> get(Digest digest);

    /** True when the repository holds the manifest. */
    boolean exists(Digest digest);

    /**
     * The manifest when memory alone can say (no storage or upstream call, so it may be asked from
     * an event loop); empty means "ask {@link #get}", not "absent".
     */
    default Optional<Manifest> getInMemory(Digest digest) {
        return Optional.empty();
    }

    /**
     * Validates and stores a manifest: it must be an OCI or Docker schema 2 manifest or index no
     * larger than the configured limit, and every blob and child manifest it references must
     * already be in this repository.
     *
     * @param content the exact bytes the client sent (the digest is computed from them)
     * @param contentType the request's Content-Type, or null
     * @param algorithm the algorithm to compute the manifest's digest with
     * @return the stored manifest, with its digest and media type
     * @throws io.hoard.model.RegistryException {@code MANIFEST_INVALID}, {@code MANIFEST_BLOB_UNKNOWN}
     */
    Manifest put(byte[] content, @Nullable String contentType, DigestAlgorithm algorithm);

    /**
     * Stores a manifest a cache fetched from an upstream, whose digest the caller has verified: it is
     * validated like a push, but the blobs and child manifests it references need not be here yet
     * (the cache fetches them when they are asked for).
     *
     * @throws io.hoard.model.RegistryException {@code MANIFEST_INVALID} for content that is no manifest
     */
    Manifest cache(byte[] content, Digest digest);

    /**
     * Removes the manifest from the repository, together with the tags that point at it.
     *
     * @throws io.hoard.model.RegistryException {@code MANIFEST_UNKNOWN} when it is not here
     */
    void delete(Digest digest);

    /**
     * The manifests in this repository whose {@code subject} is {@code subject}, optionally only
     * those of one artifact type, in no particular order.
     */
    List<Referrer> referrers(Digest subject, @Nullable String artifactType);
}
