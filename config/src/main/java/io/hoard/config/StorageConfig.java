package io.hoard.config;

import java.util.Map;

/**
 * {@code storage}: exactly one driver with its parameters, plus the registry-wide storage options.
 *
 * @param driver filesystem, inmemory or s3
 * @param parameters the driver's own keys, as given (validated per driver)
 * @param blobDescriptorCache {@code cache.blobdescriptor}: where blob sizes and links are remembered
 * @param blobDescriptorCacheSize {@code cache.blobdescriptorsize}: how many (0: none, storage is asked every time)
 */
public record StorageConfig(
        String driver,
        Map<String, Object> parameters,
        boolean deleteEnabled,
        boolean redirectDisabled,
        String blobDescriptorCache,
        int blobDescriptorCacheSize,
        UploadPurging uploadPurging,
        boolean readOnly) {

    /** {@code storage.maintenance.uploadpurging}: removes upload sessions older than {@code age}. */
    public record UploadPurging(boolean enabled, java.time.Duration age, java.time.Duration interval, boolean dryRun) {
    }
}
