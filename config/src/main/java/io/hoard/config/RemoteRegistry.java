package io.hoard.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * One upstream of {@code proxy.remoteregistries}. Empty credentials mean anonymous access.
 *
 * @param ttl how long a cached tag of this upstream is trusted (default: {@code proxy.ttl})
 * @param insecure accept any TLS certificate from this upstream (self-signed test registries)
 * @param caFile a PEM file of CA certificates to trust for this upstream, besides the JDK's
 */
public record RemoteRegistry(URI url, Optional<String> username, Optional<String> password, Optional<Duration> ttl,
        boolean insecure, Optional<String> caFile) {

    /** An upstream with credentials and defaults for the rest. */
    public RemoteRegistry(URI url, Optional<String> username, Optional<String> password) {
        this(url, username, password, Optional.empty(), false, Optional.empty());
    }

    /** {@code host} or {@code host:port} of the URL, as clients name the registry. */
    public String hostKey() {
        return url.getPort() < 0 ? url.getHost() : url.getHost() + ":" + url.getPort();
    }

    @Override
    public String toString() {
        // Never print the password.
        return "RemoteRegistry[url=" + url + ", username=" + username.orElse("") + "]";
    }
}
