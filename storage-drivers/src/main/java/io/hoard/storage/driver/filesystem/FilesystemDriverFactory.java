package io.hoard.storage.driver.filesystem;

import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StorageDriverFactory;
import java.nio.file.Path;
import java.util.Map;

/** {@code storage.filesystem}: {@code rootdirectory} (default {@code /var/lib/registry}). */
public final class FilesystemDriverFactory implements StorageDriverFactory {
    static final String DEFAULT_ROOT = "/var/lib/registry";

    @Override
    public String name() {
        return FilesystemDriver.NAME;
    }

    @Override
    public StorageDriver create(Map<String, Object> parameters) {
        Object root = parameters.getOrDefault("rootdirectory", DEFAULT_ROOT);
        if (!(root instanceof String dir) || dir.isBlank()) {
            throw new IllegalArgumentException("storage.filesystem.rootdirectory must be a directory path, not '" + root + "'");
        }
        return new FilesystemDriver(Path.of(dir));
    }
}
