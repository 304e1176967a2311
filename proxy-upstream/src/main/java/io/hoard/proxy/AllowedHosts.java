package io.hoard.proxy;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code proxy.allowedhosts}: which registries clients may name under {@code proxy.on}. Entries are
 * {@code host} (any port), {@code host:port}, or {@code *.domain} (one more label on the left, any
 * port, or {@code *.domain:port}). No entries: any host. Only exact entries (no {@code *}) may
 * reach non-public addresses.
 */
final class AllowedHosts {
    private final List<String> patterns;

    AllowedHosts(List<String> patterns) {
        this.patterns = patterns.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
    }

    /** The exact entries, for the {@link io.hoard.upstream.AddressPolicy}. */
    Set<String> exact() {
        return patterns.stream().filter(p -> !p.contains("*")).collect(Collectors.toUnmodifiableSet());
    }

    /** True when clients may name {@code host} ({@code name} or {@code name:port}). */
    boolean permits(String host) {
        return patterns.isEmpty() || patterns.stream().anyMatch(p -> matches(p, host.toLowerCase(Locale.ROOT)));
    }

    /** True when an exact entry names {@code host}: it may then be a non-public address. */
    boolean exactly(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return patterns.stream().anyMatch(p -> !p.contains("*") && matches(p, h));
    }

    private static boolean matches(String pattern, String host) {
        String[] p = splitPort(pattern);
        String[] h = splitPort(host);
        if (p[1] != null && !p[1].equals(h[1] == null ? "" : h[1])) {
            return false;
        }
        if (p[0].startsWith("*.")) {
            String suffix = p[0].substring(1); // ".domain"
            return h[0].endsWith(suffix) && h[0].length() > suffix.length()
                    && h[0].substring(0, h[0].length() - suffix.length()).indexOf('.') < 0;
        }
        return p[0].equals(h[0]);
    }

    /** {@code [name, port or null]}; bracketed IPv6 addresses keep their brackets. */
    private static String[] splitPort(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        int bracket = hostPort.lastIndexOf(']');
        if (colon < 0 || colon < bracket || (bracket < 0 && hostPort.indexOf(':') != colon)) {
            return new String[] {hostPort, null};
        }
        return new String[] {hostPort.substring(0, colon), hostPort.substring(colon + 1)};
    }

    /**
     * True when {@code host} (without port) is an address literal or {@code localhost} that is not
     * public: refused before any connection is tried.
     */
    static boolean isNonPublicLiteral(String host) {
        String name = splitPort(host.toLowerCase(Locale.ROOT))[0];
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            return true;
        }
        String bare = name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
        boolean literal = bare.contains(":") || bare.matches("[0-9.]+");
        if (!literal) {
            return false;
        }
        try {
            return !io.hoard.upstream.AddressPolicy.isPublic(InetAddress.getByName(bare)); // a literal: no lookup
        } catch (java.net.UnknownHostException e) {
            return true; // malformed: never connect
        }
    }
}
