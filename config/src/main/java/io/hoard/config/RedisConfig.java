package io.hoard.config;

import java.time.Duration;
import java.util.Optional;

/**
 * distribution's {@code redis} section: the Redis that the instances of a cluster coordinate
 * through (fill leases, shared blob descriptors). Hoard talks to it over one multiplexed Lettuce
 * connection, so the {@code pool} keys are accepted and not needed.
 *
 * @param addr {@code host:port}
 * @param username Redis 6 ACL user (distribution 3's key); empty for the default user
 * @param password empty for none
 * @param tls {@code tls.enabled}: connect with TLS (distribution 3's key)
 */
public record RedisConfig(
        String addr,
        Optional<String> username,
        String password,
        int db,
        Duration dialTimeout,
        Duration readTimeout,
        Duration writeTimeout,
        boolean tls) {
}
