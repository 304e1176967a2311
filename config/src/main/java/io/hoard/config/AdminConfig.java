package io.hoard.config;

import java.util.List;

/**
 * {@code admin} (Hoard): who may call the admin API ({@code /hoard/api/v1/}). With {@code auth}
 * on, the htpasswd users listed here; with {@code auth} off, only connections from loopback.
 *
 * @param users htpasswd user names allowed to call the admin API
 */
public record AdminConfig(List<String> users) {
    public static final AdminConfig DEFAULT = new AdminConfig(List.of());
}
