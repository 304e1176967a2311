/**
 * The storage driver SPI: paths and bytes, nothing registry-specific (no digests, no manifests).
 *
 * <p>Starting points: {@link io.hoard.storage.driver.StorageDriver} (the contract),
 * {@link io.hoard.storage.driver.StorageDrivers} (lookup by name, wraps every driver in the
 * validating decorator), {@link io.hoard.storage.driver.StoragePaths} (the path grammar).
 */
@NullMarked
package io.hoard.storage.driver;

import org.jspecify.annotations.NullMarked;
