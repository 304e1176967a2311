package io.hoard.storage;

import io.hoard.model.RepositoryName;

/** One repository: its blobs, manifests, tags and uploads. */
public interface Repository {
    RepositoryName name();

    /** True when anything has been pushed to or linked into the repository. */
    boolean exists();

    BlobStore blobs();

    ManifestStore manifests();

    TagStore tags();

    UploadStore uploads();
}
