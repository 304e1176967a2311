package io.hoard.storage.driver;

import io.hoard.storage.driver.base.ValidatingStorageDriver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Looks drivers up by name and wraps each one in {@link ValidatingStorageDriver}. */
public final class StorageDrivers {
    private StorageDrivers() {
    }

    /**
     * A driver named {@code name} built from {@code parameters}.
     *
     * @throws IllegalArgumentException for an unknown driver or bad parameters
     */
    public static StorageDriver create(String name, Map<String, Object> parameters) {
        List<String> known = new ArrayList<>();
        for (StorageDriverFactory factory : ServiceLoader.load(StorageDriverFactory.class)) {
            if (factory.name().equals(name)) {
                return new ValidatingStorageDriver(factory.create(parameters));
            }
            known.add(factory.name());
        }
        throw new IllegalArgumentException("unknown storage driver '" + name + "'; available: " + known);
    }
}
