package io.hoard.proxy;

import io.hoard.config.ProxyConfig;
import io.hoard.config.RemoteRegistry;
import io.hoard.model.Digest;
import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.storage.Access;
import io.hoard.storage.DriverRegistry;
import io.hoard.storage.Manifest;
import io.hoard.storage.Origin;
import io.hoard.storage.Repository;
import io.hoard.storage.RepositoryResolver;
import io.hoard.upstream.Credentials;
import io.hoard.upstream.RegistryClient;
import io.hoard.upstream.UpstreamEndpoint;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;


/**
 * Decides which repository serves a request (DESIGN.md "Routing"):
 * <ol>
 * <li>{@code ?ns=<host>} names the upstream; {@code docker.io} is the default (first) upstream;</li>
 * <li>else a first path component that is an upstream's host names it, the rest is the remote name;</li>
 * <li>else the default upstream, with {@code library/} for single-component names — unless the
 *     repository was pushed here, which makes it local for good;</li>
 * <li>with {@code proxy.on}, hosts that are not configured are proxied too, with the client's own
 *     credentials (kept in memory, used for that client only).</li>
 * </ol>
 * Pushes go to local repositories only: never into a cache, never under an upstream's name.
 */
public final class ProxyResolver implements RepositoryResolver {
    private static final Set<String> DOCKER_HUB = Set.of("docker.io", "index.docker.io", "registry-1.docker.io");
    private static final int MAX_DYNAMIC_UPSTREAMS = 256;
    /** A DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port. */
    private static final java.util.regex.Pattern VALID_HOST = java.util.regex.Pattern.compile(
            "(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\\[[0-9a-f:.]+\\])(?::[0-9]{1,5})?");

    private record Configured(RemoteRegistry remote, UpstreamEndpoint endpoint, RegistryClient client, Duration ttl) {
    }

    private final DriverRegistry registry;
    private final ProxyConfig config;
    private final List<Configured> configured = new ArrayList<>();
    private final ConcurrentHashMap<String, UpstreamEndpoint> dynamic = new ConcurrentHashMap<>();
    private final BlobFetcher fetcher;
    private final Inflight<String, Optional<Manifest>> manifestFetches = new Inflight<>();
    private final Inflight<String, Optional<Digest>> tagRefreshes = new Inflight<>();
    private final ProxyMetrics metrics = new ProxyMetrics();
    private final Clock clock;

    public ProxyResolver(DriverRegistry registry, ProxyConfig config, Path spoolDir, Clock clock) {
        this.registry = registry;
        this.config = config;
        this.clock = clock;
        for (RemoteRegistry remote : config.remoteRegistries()) {
            UpstreamEndpoint endpoint = UpstreamEndpoint.create(remote, config.connectTimeout(), config.timeout(), clock);
            configured.add(new Configured(remote, endpoint,
                    new RegistryClient(endpoint, Credentials.of(remote.username(), remote.password())),
                    remote.ttl().orElse(config.ttl())));
        }
        this.fetcher = new BlobFetcher(registry, spoolDir, config.timeout(), metrics);
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    /** The configured upstreams' endpoints (statistics, token caches), default first. */
    public List<UpstreamEndpoint> endpoints() {
        return configured.stream().map(Configured::endpoint).toList();
    }

    @Override
    public Repository resolve(String name, Access access) {
        String ns = access.namespace() == null ? "" : access.namespace().trim().toLowerCase(Locale.ROOT);
        Credentials client = Credentials.fromBasicHeader(access.authorization());
        if (!ns.isEmpty()) {
            ProxyTarget target = byHost(ns, name, client).orElseThrow(() -> new RegistryException(ErrorCode.NAME_UNKNOWN,
                    "registry '" + ns + "' is not an upstream of this Hoard (proxy.remoteregistries), and proxy.on is off"));
            return proxied(target, access);
        }
        int slash = name.indexOf('/');
        if (slash > 0) {
            String first = name.substring(0, slash).toLowerCase(Locale.ROOT);
            if (configuredByHost(first).isPresent() || (config.dynamic() && looksLikeHost(first))) {
                Optional<ProxyTarget> target = byHost(first, name.substring(slash + 1), client);
                if (target.isPresent()) {
                    return proxied(target.get(), access);
                }
            }
        }
        return defaultRoute(RepositoryName.of(name), access);
    }

    private Repository defaultRoute(RepositoryName name, Access access) {
        Origin origin = registry.origin(name);
        if (access.write()) {
            if (origin == Origin.CACHED) {
                throw new RegistryException(ErrorCode.DENIED, "repository " + name + " holds content cached from an "
                        + "upstream; push to a name of your own instead");
            }
            String first = name.value().split("/", 2)[0];
            if (!config.localNamespaces().isEmpty() && !config.localNamespaces().contains(first)) {
                throw new RegistryException(ErrorCode.DENIED, "pushes are accepted only under " + config.localNamespaces()
                        + " (proxy.localnamespaces), not under '" + first + "'");
            }
            if (origin == Origin.UNKNOWN) {
                registry.markOrigin(name, Origin.LOCAL);
            }
            return registry.repository(name);
        }
        if (configured.isEmpty() || isLocal(name, origin)) {
            return registry.repository(name);
        }
        String remote = name.value().contains("/") ? name.value() : "library/" + name.value();
        RepositoryName cacheName = RepositoryName.of(remote);
        if (!cacheName.equals(name) && isLocal(cacheName, registry.origin(cacheName))) {
            return registry.repository(cacheName);
        }
        Configured def = configured.get(0);
        return repository(new ProxyTarget(def.client(), remote, cacheName, def.ttl(), false));
    }

    /**
     * Pushed to, with content: a push that never completed (an upload started and abandoned) must
     * not hide the upstream's repository of that name.
     */
    private boolean isLocal(RepositoryName name, Origin origin) {
        return origin == Origin.LOCAL && registry.repository(name).exists();
    }

    private Repository proxied(ProxyTarget target, Access access) {
        if (access.write()) {
            throw new RegistryException(ErrorCode.DENIED, "repository " + target.cacheName() + " is a cache of "
                    + target.upstream().name() + "; pushes go to names that do not route to an upstream");
        }
        return repository(target);
    }

    private Repository repository(ProxyTarget target) {
        ProxyManifestStore manifests = new ProxyManifestStore(registry, target, manifestFetches, metrics);
        return new ProxyRepository(target, new ProxyBlobStore(registry, target, fetcher, metrics, config.timeout()), manifests,
                new ProxyTagStore(registry, target, manifests, tagRefreshes, metrics, clock));
    }

    /** The target for repository {@code name} on the registry {@code host}, if it is an upstream. */
    private Optional<ProxyTarget> byHost(String host, String name, Credentials client) {
        if (DOCKER_HUB.contains(host)) {
            if (configured.isEmpty()) {
                return Optional.empty();
            }
            String remote = name.contains("/") ? name : "library/" + name;
            Configured def = configured.get(0);
            return Optional.of(new ProxyTarget(def.client(), remote, RepositoryName.of(remote), def.ttl(), false));
        }
        Optional<Configured> c = configuredByHost(host);
        if (c.isPresent()) {
            boolean isDefault = c.get() == configured.get(0);
            RepositoryName cacheName = RepositoryName.of(isDefault ? name : hostDirectory(host) + "/" + name);
            return Optional.of(new ProxyTarget(c.get().client(), name, cacheName, c.get().ttl(), false));
        }
        if (!config.dynamic() || !looksLikeHost(host)) {
            return Optional.empty();
        }
        UpstreamEndpoint endpoint = dynamicEndpoint(host);
        return Optional.of(new ProxyTarget(new RegistryClient(endpoint, client), name,
                RepositoryName.of(hostDirectory(host) + "/" + name), config.ttl(), true));
    }

    private Optional<Configured> configuredByHost(String host) {
        for (Configured c : configured) {
            URI url = c.remote().url();
            boolean defaultPort = url.getPort() < 0;
            if (c.remote().hostKey().equalsIgnoreCase(host) || (defaultPort && url.getHost().equalsIgnoreCase(host))) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    private UpstreamEndpoint dynamicEndpoint(String host) {
        UpstreamEndpoint existing = dynamic.get(host);
        if (existing != null) {
            return existing;
        }
        if (dynamic.size() >= MAX_DYNAMIC_UPSTREAMS) {
            throw new RegistryException(ErrorCode.DENIED, "too many different upstreams named by clients");
        }
        // Registries on loopback speak plain HTTP, as docker and containerd assume too.
        String scheme = isLoopback(host) ? "http" : "https";
        return dynamic.computeIfAbsent(host, h -> UpstreamEndpoint.dynamic(URI.create(scheme + "://" + h),
                config.connectTimeout(), config.timeout(), clock));
    }

    /** A repository-name-safe directory for a host: {@code 127.0.0.1:5000} → {@code 127.0.0.1-5000}. */
    static String hostDirectory(String host) {
        String dir = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]+", "-").replaceAll("^[.-]+|[.-]+$", "");
        return dir.isEmpty() ? "upstream" : dir;
    }

    private static boolean looksLikeHost(String component) {
        if (!(component.contains(".") || component.contains(":") || component.equals("localhost"))
                || !VALID_HOST.matcher(component).matches()) {
            return false;
        }
        int colon = component.lastIndexOf(':');
        return colon < 0 || component.endsWith("]") || Integer.parseInt(component.substring(colon + 1)) <= 65535;
    }

    private static boolean isLoopback(String host) {
        String h = host.startsWith("[") ? host.substring(1, Math.max(1, host.indexOf(']'))) : host.split(":")[0];
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
    }

}
