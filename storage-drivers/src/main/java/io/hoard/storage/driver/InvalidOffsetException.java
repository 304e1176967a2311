package io.hoard.storage.driver;

/** A read offset that is negative or beyond the end of the file. */
public final class InvalidOffsetException extends StorageDriverException {
    public InvalidOffsetException(String path, long offset) {
        super("invalid offset " + offset + " for " + path, path);
    }
}
