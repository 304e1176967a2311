package io.hoard.upstream;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Where connections may go. Upstreams the operator configured are trusted as written
 * ({@link #open()}); for upstreams a client names ({@code proxy.on}) every connection — to the
 * upstream, its token realm, a redirect target — goes only to public addresses, unless that exact
 * host is listed in {@code proxy.allowedhosts} (OWASP's SSRF advice). The check is made on the
 * addresses the connection is then made to, so a name that resolves differently a moment later
 * (DNS rebinding) gains nothing.
 */
public final class AddressPolicy {
    private static final AddressPolicy OPEN = new AddressPolicy(null);

    /** Exact {@code host} or {@code host:port} entries (lower case) that may be non-public; null = anything goes. */
    private final @Nullable Set<String> exactAllowed;

    private AddressPolicy(@Nullable Set<String> exactAllowed) {
        this.exactAllowed = exactAllowed;
    }

    /** Any address: for configured upstreams. */
    public static AddressPolicy open() {
        return OPEN;
    }

    /** Public addresses only, except for the hosts in {@code exactAllowed} ({@code host} or {@code host:port}). */
    public static AddressPolicy publicOnly(Set<String> exactAllowed) {
        return new AddressPolicy(exactAllowed.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(
                java.util.stream.Collectors.toUnmodifiableSet()));
    }

    /** True when connections to {@code host:port} may go to any address it resolves to. */
    boolean trusts(String host, int port) {
        if (exactAllowed == null) {
            return true;
        }
        String h = host.toLowerCase(Locale.ROOT);
        String bracketed = h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h;
        return exactAllowed.contains(h) || exactAllowed.contains(bracketed) || exactAllowed.contains(h + ":" + port)
                || exactAllowed.contains(bracketed + ":" + port);
    }

    /**
     * The addresses a connection to {@code host:port} may use, in resolver order.
     *
     * @throws RefusedAddressException when the host resolves only to addresses this policy forbids
     * @throws UnknownHostException when the host does not resolve
     */
    List<InetAddress> resolve(String host, int port) throws UnknownHostException, RefusedAddressException {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] all = InetAddress.getAllByName(bare);
        if (trusts(host, port)) {
            return List.of(all);
        }
        List<InetAddress> allowed = new ArrayList<>();
        for (InetAddress a : all) {
            if (isPublic(a)) {
                allowed.add(a);
            }
        }
        if (allowed.isEmpty()) {
            throw new RefusedAddressException(host);
        }
        return allowed;
    }

    /**
     * True for addresses on the public internet: not loopback, link-local, private (RFC 1918, unique
     * local fc00::/7), shared (100.64/10), unspecified, multicast, broadcast, reserved or documentation
     * ranges, and not an IPv6 form that embeds such an IPv4 address.
     */
    public static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return isPublicV4(b);
        }
        if (a instanceof Inet6Address) {
            int first = b[0] & 0xff;
            if ((first & 0xfe) == 0xfc || (first == 0xfe && (b[1] & 0xc0) == 0xc0)) {
                return false; // unique local fc00::/7, site-local fec0::/10
            }
            if (first == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
                return false; // documentation 2001:db8::/32
            }
            boolean zero80 = true;
            for (int i = 0; i < 10; i++) {
                zero80 &= b[i] == 0;
            }
            boolean mapped = zero80 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
            boolean compatible = zero80 && b[10] == 0 && b[11] == 0;
            boolean nat64 = (first == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b);
            if (mapped || compatible || nat64) {
                return isPublicV4(new byte[] {b[12], b[13], b[14], b[15]});
            }
            return true;
        }
        return false;
    }

    private static boolean isPublicV4(byte[] b) {
        int o1 = b[0] & 0xff;
        int o2 = b[1] & 0xff;
        int o3 = b[2] & 0xff;
        return !(o1 == 0 || o1 == 10 || o1 == 127 || o1 >= 224 // this network, private, loopback, multicast/reserved/broadcast
                || (o1 == 100 && (o2 & 0xc0) == 64)            // shared address space 100.64/10
                || (o1 == 169 && o2 == 254)                    // link-local (cloud metadata)
                || (o1 == 172 && (o2 & 0xf0) == 16)            // private 172.16/12
                || (o1 == 192 && o2 == 168)                    // private 192.168/16
                || (o1 == 192 && o2 == 0 && (o3 == 0 || o3 == 2)) // IETF protocol assignments, TEST-NET-1
                || (o1 == 198 && (o2 & 0xfe) == 18)            // benchmarking 198.18/15
                || (o1 == 198 && o2 == 51 && o3 == 100)        // TEST-NET-2
                || (o1 == 203 && o2 == 0 && o3 == 113));       // TEST-NET-3
    }

    /** A host that resolves only to addresses the policy forbids. */
    public static final class RefusedAddressException extends java.io.IOException {
        private final String host;

        RefusedAddressException(String host) {
            super(host + " resolves only to non-public addresses");
            this.host = host;
        }

        public String host() {
            return host;
        }
    }
}
