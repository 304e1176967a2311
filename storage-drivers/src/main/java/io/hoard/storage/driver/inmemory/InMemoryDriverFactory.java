package io.hoard.storage.driver.inmemory;

import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StorageDriverFactory;
import java.util.Map;

/** {@code storage.inmemory}: no parameters; content is lost at exit. */
public final class InMemoryDriverFactory implements StorageDriverFactory {
    @Override
    public String name() {
        return InMemoryDriver.NAME;
    }

    @Override
    public StorageDriver create(Map<String, Object> parameters) {
        if (!parameters.isEmpty()) {
            throw new IllegalArgumentException("storage.inmemory takes no parameters, got " + parameters.keySet());
        }
        return new InMemoryDriver();
    }
}
