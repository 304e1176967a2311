package io.hoard.storage.driver;

/** The path does not match {@link StoragePaths}' grammar. */
public final class InvalidPathException extends StorageDriverException {
    public InvalidPathException(String path) {
        super("invalid storage path '" + path + "': expected /component[/component...] of [A-Za-z0-9._-]", path);
    }
}
