package io.hoard.proxy;

import io.hoard.config.ProxyConfig;
import io.hoard.config.RemoteRegistry;
import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.upstream.AddressPolicy;
import io.hoard.upstream.Credentials;
import io.hoard.upstream.RegistryClient;
import io.hoard.upstream.UpstreamEndpoint;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The upstreams a cache reaches: the configured ones ({@code proxy.remoteregistries}, each with its
 * endpoint and client built once), and those clients name under {@code proxy.on} — checked against
 * {@code proxy.allowedhosts} and the address policy, remembered in a small LRU (token caches,
 * breakers), and reached with the client's own credentials behind a {@link ClientGate}.
 */
public final class Upstreams {
    /** Upstreams named by clients that are remembered; the least recently used go first. */
    private static final int MAX_CLIENT_NAMED = 256;

    /** A configured upstream, built once. */
    public record Configured(RemoteRegistry remote, UpstreamEndpoint endpoint, RegistryClient client, Duration ttl) {
    }

    private final ProxyConfig config;
    private final List<Configured> configured;
    private final Map<String, UpstreamEndpoint> clientNamed = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, UpstreamEndpoint> eldest) {
            return size() > MAX_CLIENT_NAMED;
        }
    };
    private final AllowedHosts allowedHosts;
    private final AddressPolicy clientNamedPolicy;
    private final AccessConfirmations confirmations;
    private final Clock clock;

    public Upstreams(ProxyConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.configured = config.remoteRegistries().stream().map(remote -> {
            UpstreamEndpoint endpoint = UpstreamEndpoint.create(remote, config.connectTimeout(), config.timeout(), clock);
            return new Configured(remote, endpoint, new RegistryClient(endpoint, Credentials.of(remote.username(),
                    remote.password())), remote.ttl().orElse(config.ttl()));
        }).toList();
        this.allowedHosts = new AllowedHosts(config.allowedHosts());
        this.clientNamedPolicy = AddressPolicy.publicOnly(allowedHosts.exact());
        this.confirmations = new AccessConfirmations(clock, config.accessTtl(), config.accessGrace());
    }

    /** The configured upstreams, default first. */
    public List<Configured> configured() {
        return configured;
    }

    /** The target for a route to a configured upstream: its cache is shared by every client. */
    ProxyTarget target(ProxyRouter.Configured route) {
        Configured c = configured.get(route.upstream());
        return new ProxyTarget(c.client(), route.remoteName(), route.cacheName(), c.ttl(), null);
    }

    /** The target for a route to an upstream the client named, reached with {@code client}'s credentials. */
    ProxyTarget target(ProxyRouter.ClientNamed route, Credentials client) {
        checkAllowed(route.host());
        UpstreamEndpoint endpoint = endpoint(route.host());
        ClientGate gate = new ClientGate(confirmations, confirmations.key(endpoint.name(), route.remoteName(), client));
        return new ProxyTarget(new RegistryClient(endpoint, client), route.remoteName(), route.cacheName(), config.ttl(), gate);
    }

    /**
     * Refuses, without any connection, a host that {@code proxy.allowedhosts} does not list, and an
     * address literal (or localhost) that is not public unless listed exactly. Names that resolve to
     * such addresses are refused when connecting ({@link AddressPolicy}).
     */
    private void checkAllowed(String host) {
        if (!allowedHosts.permits(host)) {
            throw new RegistryException(ErrorCode.DENIED, "registry '" + host + "' is not in proxy.allowedhosts, so this "
                    + "Hoard does not proxy it");
        }
        if (!allowedHosts.exactly(host) && AllowedHosts.isNonPublicLiteral(host)) {
            throw new RegistryException(ErrorCode.DENIED, "registry '" + host + "' is a loopback, private or otherwise "
                    + "non-public address, which clients may not name; an operator can list that exact host in "
                    + "proxy.allowedhosts");
        }
    }

    private UpstreamEndpoint endpoint(String host) {
        synchronized (clientNamed) {
            // Registries on loopback speak plain HTTP, as docker and containerd assume too.
            return clientNamed.computeIfAbsent(host, h -> UpstreamEndpoint.dynamic(URI.create((isLoopback(h) ? "http" : "https")
                    + "://" + h), clientNamedPolicy, config.connectTimeout(), config.timeout(), clock));
        }
    }

    /** Registries on loopback speak plain HTTP, as docker and containerd assume too. */
    static boolean isLoopback(String host) {
        String h = host.startsWith("[") ? host.substring(1, Math.max(1, host.indexOf(']'))) : host.split(":")[0];
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
    }
}
