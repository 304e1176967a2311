package io.hoard.config;

import java.util.Map;

/** {@code auth}: one scheme (htpasswd, token, silly) and its parameters. */
public record AuthConfig(String scheme, Map<String, Object> parameters) {
}
