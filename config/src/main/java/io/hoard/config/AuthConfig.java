package io.hoard.config;

import java.util.Map;
import java.util.Optional;

/**
 * {@code auth}: one scheme (htpasswd, token, silly) and its parameters as written; for htpasswd,
 * the only scheme Hoard implements, also its validated values.
 */
public record AuthConfig(String scheme, Map<String, Object> parameters, Optional<Htpasswd> htpasswd) {

    /**
     * {@code auth.htpasswd}.
     *
     * @param path the htpasswd file (bcrypt entries)
     * @param realm the realm of the Basic challenge
     * @param anonymousPull (Hoard) anyone may pull; pushes need a user
     */
    public record Htpasswd(String path, String realm, boolean anonymousPull) {
    }
}
