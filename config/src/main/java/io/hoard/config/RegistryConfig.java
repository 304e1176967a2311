package io.hoard.config;

import java.util.Map;
import java.util.Optional;

/**
 * The whole of config.yml, validated. Defaults live in {@link ConfigLoader}; docs/configuration.md
 * lists every key.
 *
 * @param ignoredKeys distribution keys present in the file that Hoard accepts so existing files keep
 *        working but does not act on (notifications, http.debug, ...), each with what Hoard does
 *        instead; the server names them in one warning at start
 * @param admin who may call the admin API (Hoard)
 * @param registration where this instance announces itself (Hoard: etcd, Consul)
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
        Optional<RedisConfig> redis,
        ClusterConfig cluster,
        AdminConfig admin,
        RegistrationConfig registration,
        Map<String, String> ignoredKeys) {
}
