package io.hoard.storage.driver;

import java.util.Map;

/**
 * Creates a driver from its config.yml parameters (the map under {@code storage.<name>}), the way
 * distribution's {@code FromParameters} does. Found with {@link java.util.ServiceLoader}.
 */
public interface StorageDriverFactory {
    /** The driver's name in config.yml. */
    String name();

    /**
     * A new driver.
     *
     * @throws IllegalArgumentException naming the parameter when one is missing or invalid
     */
    StorageDriver create(Map<String, Object> parameters);
}
