package io.hoard.config;

import java.util.List;
import java.util.Optional;

/**
 * The whole of config.yml, validated. Defaults live in {@link ConfigLoader}; docs/configuration.md
 * lists every key.
 *
 * @param ignoredSections distribution sections Hoard accepts so existing files keep working but
 *        does not act on (notifications, redis, ...); the server logs a warning for each
 */
public record RegistryConfig(
        String version,
        LogConfig log,
        StorageConfig storage,
        HttpConfig http,
        Optional<AuthConfig> auth,
        HealthConfig health,
        Optional<ProxyConfig> proxy,
        CatalogConfig catalog,
        List<String> ignoredSections) {
}
