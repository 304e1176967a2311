package io.hoard.config;

import java.net.URI;
import java.util.Optional;

/**
 * {@code cluster} (Hoard key): how the instances sharing a store and a Redis reach each other.
 *
 * @param advertise the URL the other instances use for this one's peer route; empty: this host's
 *        first non-loopback address (or the address {@code http.addr} names) and the port it listens on
 */
public record ClusterConfig(Optional<URI> advertise) {
    public static final ClusterConfig DEFAULT = new ClusterConfig(Optional.empty());
}
