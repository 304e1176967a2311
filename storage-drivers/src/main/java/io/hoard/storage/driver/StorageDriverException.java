package io.hoard.storage.driver;

import java.io.IOException;

/** A driver failure that callers tell apart from other I/O errors; it names the driver and path. */
public class StorageDriverException extends IOException {
    private final String path;

    public StorageDriverException(String message, String path) {
        super(message);
        this.path = path;
    }

    /** The path the failed call was about. */
    public String path() {
        return path;
    }
}
