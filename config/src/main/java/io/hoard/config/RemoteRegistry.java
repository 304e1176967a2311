package io.hoard.config;

import java.net.URI;
import java.util.Optional;

/** One upstream of {@code proxy.remoteregistries}. Empty credentials mean anonymous access. */
public record RemoteRegistry(URI url, Optional<String> username, Optional<String> password) {
    @Override
    public String toString() {
        // Never print the password.
        return "RemoteRegistry[url=" + url + ", username=" + username.orElse("") + "]";
    }
}
