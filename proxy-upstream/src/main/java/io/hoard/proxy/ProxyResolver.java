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
import io.hoard.upstream.AddressPolicy;
import io.hoard.upstream.UpstreamEndpoint;
import io.hoard.upstream.UpstreamException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.Map;


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
    /** Where Docker Hub's registry API is, for {@code proxy.on} without configured upstreams. */
    private static final String DOCKER_HUB_API = "registry-1.docker.io";
    /** Upstreams named by clients that are remembered (token caches, breakers); the least recently used go first. */
    private static final int MAX_DYNAMIC_UPSTREAMS = 256;
    /** A DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port. */
    private static final java.util.regex.Pattern VALID_HOST = java.util.regex.Pattern.compile(
            "(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\\[[0-9a-f:.]+\\])(?::[0-9]{1,5})?");

    private record Configured(RemoteRegistry remote, UpstreamEndpoint endpoint, RegistryClient client, Duration ttl) {
    }

    private final DriverRegistry registry;
    private final ProxyConfig config;
    private final List<Configured> configured = new ArrayList<>();
    private final Map<String, UpstreamEndpoint> dynamic = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, UpstreamEndpoint> eldest) {
            return size() > MAX_DYNAMIC_UPSTREAMS;
        }
    };
    private final AllowedHosts allowedHosts;
    private final AddressPolicy dynamicPolicy;
    private final AccessConfirmations confirmations;
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
        this.fetcher = new BlobFetcher(registry, spoolDir, config.timeout(), config.maxBlobSize(), metrics);
        this.allowedHosts = new AllowedHosts(config.allowedHosts());
        this.dynamicPolicy = AddressPolicy.publicOnly(allowedHosts.exact());
        this.confirmations = new AccessConfirmations(clock, config.accessTtl(), config.accessGrace());
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
                    "registry '" + Digest.abbreviate(ns) + "' is not an upstream of this Hoard (proxy.remoteregistries)"
                            + (config.dynamic() ? " and not a registry host name" : ", and proxy.on is off")));
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
        return defaultRoute(RepositoryName.of(name), access, client);
    }

    private Repository defaultRoute(RepositoryName name, Access access, Credentials client) {
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
            if (!isLocal(name, origin)) {
                // Until pushed content exists (an abandoned upload leaves only the mark), the name stays
                // claimable by the upstream: ask again, so a name claimed early cannot shadow it later.
                refuseShadowing(name, first);
            }
            if (origin == Origin.UNKNOWN) {
                registry.markOrigin(name, Origin.LOCAL);
            }
            return registry.repository(name);
        }
        if ((configured.isEmpty() && !config.dynamic()) || isLocal(name, origin)) {
            return registry.repository(name);
        }
        String remote = hubName(name.value());
        RepositoryName cacheName = RepositoryName.of(remote);
        if (!cacheName.equals(name) && isLocal(cacheName, registry.origin(cacheName))) {
            return registry.repository(cacheName);
        }
        return repository(dockerHub(remote, client));
    }

    /**
     * Caches of upstreams named by clients ({@code <host>/...}, filled with some client's credentials)
     * are left out of the catalog: even their names are that upstream's to show. With {@code proxy.on}
     * a first component that is a host name never holds pushed content (it routes to that host).
     */
    @Override
    public boolean listed(String name) {
        int slash = name.indexOf('/');
        if (!config.dynamic() || slash < 0) {
            return true;
        }
        String first = name.substring(0, slash);
        for (Configured c : configured) {
            if (c != configured.get(0) && hostDirectory(c.remote().hostKey()).equals(first)) {
                return true;
            }
        }
        return !(first.contains(".") || first.equals("localhost") || first.startsWith("localhost-"));
    }

    /**
     * The default upstream's target for a Docker Hub name: the first configured upstream, or (with
     * {@code proxy.on} and none configured) Docker Hub itself, with the client's credentials.
     */
    private ProxyTarget dockerHub(String remote, Credentials client) {
        if (!configured.isEmpty()) {
            Configured def = configured.get(0);
            return new ProxyTarget(def.client(), remote, RepositoryName.of(remote), def.ttl(), null);
        }
        return dynamicTarget(DOCKER_HUB_API, remote, client);
    }

    /**
     * A first push into a name must not shadow what the default upstream serves (otherwise anyone
     * allowed to push could replace {@code alpine} for everyone): refused when the upstream has the
     * repository, or cannot say, unless the namespace is declared local.
     */
    private void refuseShadowing(RepositoryName name, String namespace) {
        if (configured.isEmpty() || config.localNamespaces().contains(namespace)) {
            return;
        }
        String remote = hubName(name.value());
        Configured def = configured.get(0);
        boolean served;
        try {
            served = def.client().serves(remote);
        } catch (UpstreamException e) {
            throw new RegistryException(ErrorCode.DENIED, "cannot push to " + name + ": " + def.remote().url() + " cannot "
                    + "say whether it serves that name, and a push must not shadow it; list '" + namespace
                    + "' in proxy.localnamespaces to push there");
        }
        if (served) {
            throw new RegistryException(ErrorCode.DENIED, "cannot push to " + name + ": the default upstream "
                    + def.remote().url() + " serves " + remote + " and pulls of it would get this push instead; push to "
                    + "a name of your own, or list '" + namespace + "' in proxy.localnamespaces");
        }
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
            if (configured.isEmpty() && !config.dynamic()) {
                return Optional.empty();
            }
            return Optional.of(dockerHub(hubName(name), client));
        }
        Optional<Configured> c = configuredByHost(host);
        if (c.isPresent()) {
            boolean isDefault = c.get() == configured.get(0);
            RepositoryName cacheName = RepositoryName.of(isDefault ? name : hostDirectory(host) + "/" + name);
            return Optional.of(new ProxyTarget(c.get().client(), name, cacheName, c.get().ttl(), null));
        }
        if (!config.dynamic() || !looksLikeHost(host)) {
            return Optional.empty();
        }
        return Optional.of(dynamicTarget(host, name, client));
    }

    /** A repository of an upstream named by the client, reached with the client's credentials. */
    private ProxyTarget dynamicTarget(String host, String name, Credentials client) {
        checkAllowed(host);
        UpstreamEndpoint endpoint = dynamicEndpoint(host);
        ClientGate gate = new ClientGate(confirmations, confirmations.key(endpoint.name(), name, client));
        return new ProxyTarget(new RegistryClient(endpoint, client), name, RepositoryName.of(hostDirectory(host) + "/" + name),
                config.ttl(), gate);
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
        synchronized (dynamic) {
            // Registries on loopback speak plain HTTP, as docker and containerd assume too.
            return dynamic.computeIfAbsent(host, h -> UpstreamEndpoint.dynamic(URI.create((isLoopback(h) ? "http" : "https")
                    + "://" + h), dynamicPolicy, config.connectTimeout(), config.timeout(), clock));
        }
    }

    /** Docker Hub's name for a repository: single-component names are official images under {@code library/}. */
    private static String hubName(String name) {
        return name.contains("/") ? name : "library/" + name;
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
