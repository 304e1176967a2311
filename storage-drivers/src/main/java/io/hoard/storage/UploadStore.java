package io.hoard.storage;

/** The blob upload sessions of one repository. */
public interface UploadStore {

    /** Starts a new, empty upload session. */
    Upload start();

    /**
     * Continues an existing session (each PATCH and the final PUT is a separate request).
     *
     * @throws io.hoard.model.RegistryException {@code BLOB_UPLOAD_UNKNOWN} when there is no such
     *         session in this repository
     */
    Upload resume(String id);
}
