package io.hoard.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code registration} (Hoard): where this instance announces itself, so that platforms find their
 * registry by service name. Any backends at once.
 *
 * @param advertise the URL clients reach this instance at; empty: what it listens on
 */
public record RegistrationConfig(Optional<URI> advertise, Optional<Etcd> etcd, Optional<Consul> consul) {
    public static final RegistrationConfig NONE = new RegistrationConfig(Optional.empty(), Optional.empty(), Optional.empty());

    /**
     * etcd v3: {@code prefix + instance id} bound to a lease of {@code ttl}, kept alive while Hoard runs.
     *
     * @param endpoints etcd's client URLs (tried in order)
     */
    public record Etcd(List<URI> endpoints, String prefix, Duration ttl) {
    }

    /** A Consul agent: the service is registered with an HTTP check against {@code /healthz}. */
    public record Consul(URI address, String service, List<String> tags, Duration checkInterval, Optional<String> token) {
    }

    public boolean enabled() {
        return etcd.isPresent() || consul.isPresent();
    }
}
