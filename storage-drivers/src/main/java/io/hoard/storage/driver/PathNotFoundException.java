package io.hoard.storage.driver;

/** Nothing exists at the path. */
public final class PathNotFoundException extends StorageDriverException {
    public PathNotFoundException(String path) {
        super("path not found: " + path, path);
    }
}
