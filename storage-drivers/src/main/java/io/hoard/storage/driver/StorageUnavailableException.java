package io.hoard.storage.driver;

/**
 * The backing store could not be reached or answered with a server error, after the driver's own
 * bounded retries: the request may succeed later (a 503 for the client, not a 500).
 */
public final class StorageUnavailableException extends StorageDriverException {
    public StorageUnavailableException(String message, String path) {
        super(message, path);
    }
}
