package io.hoard.proxy;

import io.hoard.config.ProxyConfig;
import io.hoard.config.RemoteRegistry;
import io.hoard.model.Digest;
import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.storage.CacheStorage;
import io.hoard.storage.Origin;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Decides which repository serves a request (DESIGN.md "Routing"), without any I/O of its own:
 * <ol>
 * <li>{@code ?ns=<host>} names the upstream; {@code docker.io} is the default (first) upstream;</li>
 * <li>else a first path component that is an upstream's host names it, the rest is the remote name;</li>
 * <li>else the default upstream, with {@code library/} for single-component names — unless the
 *     repository was pushed here, which makes it local for good;</li>
 * <li>with {@code proxy.on}, hosts that are not configured are proxied too, with the client's own
 *     credentials; without configured upstreams Docker Hub names go to Docker Hub.</li>
 * </ol>
 * Pushes go to local repositories only: never into a cache, never under an upstream's name. What
 * the router knows of stored repositories comes from {@link RepositoryState} (kept in memory by the
 * storage), so a route is decided from memory.
 */
public final class ProxyRouter {
    private static final Set<String> DOCKER_HUB = Set.of("docker.io", "index.docker.io", "registry-1.docker.io");
    /** Where Docker Hub's registry API is, for {@code proxy.on} without configured upstreams. */
    static final String DOCKER_HUB_API = "registry-1.docker.io";
    /** A DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port. */
    private static final Pattern VALID_HOST = Pattern.compile(
            "(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\\[[0-9a-f:.]+\\])(?::[0-9]{1,5})?");

    /** What the router needs to know of stored repositories. */
    public interface RepositoryState {
        Origin origin(RepositoryName name);

        /** Whether the repository holds content (pushed, or cached). */
        boolean holdsContent(RepositoryName name);

        /** The state as {@code storage} records it (in memory, see {@link CacheStorage#origin}). */
        static RepositoryState of(CacheStorage storage) {
            return new RepositoryState() {
                @Override
                public Origin origin(RepositoryName name) {
                    return storage.origin(name);
                }

                @Override
                public boolean holdsContent(RepositoryName name) {
                    return storage.holdsContent(name);
                }
            };
        }
    }

    /** Where a request goes. */
    public sealed interface Route {
        /** The repository to serve from (and push to) locally. */
        RepositoryName cacheName();
    }

    /** A repository of this registry's own: pushed content, or a plain registry. */
    public record Local(RepositoryName cacheName) implements Route {
    }

    /**
     * A cache of the configured upstream {@code upstream} (an index into
     * {@code proxy.remoteregistries}, 0 = the default).
     */
    public record Configured(int upstream, String remoteName, RepositoryName cacheName) implements Route {
    }

    /** A cache of an upstream the request names ({@code proxy.on}), reached with the client's credentials. */
    public record ClientNamed(String host, String remoteName, RepositoryName cacheName) implements Route {
    }

    private final List<RemoteRegistry> remotes;
    private final boolean dynamic;
    private final List<String> localNamespaces;
    private final RepositoryState state;

    public ProxyRouter(ProxyConfig config, RepositoryState state) {
        this.remotes = List.copyOf(config.remoteRegistries());
        this.dynamic = config.dynamic();
        this.localNamespaces = List.copyOf(config.localNamespaces());
        this.state = state;
    }

    /**
     * The route for repository {@code name} as the URL has it, with the registry the client names
     * ({@code ?ns=}) if any.
     *
     * @throws RegistryException {@code NAME_INVALID} for a bad name, {@code NAME_UNKNOWN} for an
     *         {@code ns} that is not an upstream, {@code DENIED} for a write into a cache or outside
     *         {@code proxy.localnamespaces}
     */
    public Route route(String name, @Nullable String namespace, boolean write) {
        String ns = namespace == null ? "" : namespace.trim().toLowerCase(Locale.ROOT);
        if (!ns.isEmpty()) {
            Route r = byHost(ns, name).orElseThrow(() -> new RegistryException(ErrorCode.NAME_UNKNOWN,
                    "registry '" + Digest.abbreviate(ns) + "' is not an upstream of this Hoard (proxy.remoteregistries)"
                            + (dynamic ? " and not a registry host name" : ", and proxy.on is off")));
            return proxied(r, write);
        }
        int slash = name.indexOf('/');
        if (slash > 0) {
            String first = name.substring(0, slash).toLowerCase(Locale.ROOT);
            if (configuredIndex(first) >= 0 || (dynamic && looksLikeHost(first))) {
                Optional<Route> r = byHost(first, name.substring(slash + 1));
                if (r.isPresent()) {
                    return proxied(r.get(), write);
                }
            }
        }
        return defaultRoute(RepositoryName.of(name), write);
    }

    private Route defaultRoute(RepositoryName name, boolean write) {
        if (write) {
            if (state.origin(name) == Origin.CACHED) {
                throw new RegistryException(ErrorCode.DENIED, "repository " + name + " holds content cached from an "
                        + "upstream; push to a name of your own instead");
            }
            String first = namespaceOf(name);
            if (!localNamespaces.isEmpty() && !localNamespaces.contains(first)) {
                throw new RegistryException(ErrorCode.DENIED, "pushes are accepted only under " + localNamespaces
                        + " (proxy.localnamespaces), not under '" + first + "'");
            }
            return new Local(name);
        }
        if ((remotes.isEmpty() && !dynamic) || isLocal(name)) {
            return new Local(name);
        }
        String remote = hubName(name.value());
        RepositoryName cacheName = RepositoryName.of(remote);
        if (!cacheName.equals(name) && isLocal(cacheName)) {
            return new Local(cacheName);
        }
        return dockerHub(remote);
    }

    /**
     * Pushed to, with content: a push that never completed (an upload started and abandoned) must
     * not hide the upstream's repository of that name.
     */
    public boolean isLocal(RepositoryName name) {
        return state.origin(name) == Origin.LOCAL && state.holdsContent(name);
    }

    /**
     * Whether a push into {@code name} has begun (the name is claimed) but no content exists yet: a
     * route through that name changes once the push completes.
     */
    public boolean pushPending(RepositoryName name) {
        return state.origin(name) == Origin.LOCAL && !state.holdsContent(name);
    }

    /** Whether a first push into {@code name} must first ask the default upstream whether it serves that name. */
    public boolean mustCheckShadowing(RepositoryName name) {
        return !remotes.isEmpty() && !localNamespaces.contains(namespaceOf(name)) && !isLocal(name);
    }

    /**
     * Caches of upstreams named by clients ({@code <host>/...}, filled with some client's credentials)
     * are left out of the catalog: even their names are that upstream's to show. With {@code proxy.on}
     * a first component that is a host name never holds pushed content (it routes to that host).
     */
    public boolean listed(String name) {
        int slash = name.indexOf('/');
        if (!dynamic || slash < 0) {
            return true;
        }
        String first = name.substring(0, slash);
        for (int i = 1; i < remotes.size(); i++) {
            if (hostDirectory(remotes.get(i).hostKey()).equals(first)) {
                return true;
            }
        }
        return !(first.contains(".") || first.equals("localhost") || first.startsWith("localhost-"));
    }

    private Route proxied(Route route, boolean write) {
        if (write) {
            throw new RegistryException(ErrorCode.DENIED, "repository " + route.cacheName() + " is a cache of "
                    + (route instanceof Configured c ? remotes.get(c.upstream()).url().toString()
                            : route instanceof ClientNamed c ? c.host() : "an upstream")
                    + "; pushes go to names that do not route to an upstream");
        }
        return route;
    }

    /** The default upstream's route for a Docker Hub name: the first configured upstream, or (proxy.on) Docker Hub. */
    private Route dockerHub(String remote) {
        RepositoryName cacheName = RepositoryName.of(remote);
        return remotes.isEmpty() ? new ClientNamed(DOCKER_HUB_API, remote, cacheName) : new Configured(0, remote, cacheName);
    }

    /** The route for repository {@code name} on the registry {@code host}, if it is an upstream. */
    private Optional<Route> byHost(String host, String name) {
        if (DOCKER_HUB.contains(host)) {
            if (remotes.isEmpty() && !dynamic) {
                return Optional.empty();
            }
            return Optional.of(dockerHub(hubName(name)));
        }
        int i = configuredIndex(host);
        if (i >= 0) {
            return Optional.of(new Configured(i, name, RepositoryName.of(i == 0 ? name : hostDirectory(host) + "/" + name)));
        }
        if (!dynamic || !looksLikeHost(host)) {
            return Optional.empty();
        }
        return Optional.of(new ClientNamed(host, name, RepositoryName.of(hostDirectory(host) + "/" + name)));
    }

    /** Whether {@code host} is one of Docker Hub's names. */
    public static boolean isDockerHub(String host) {
        return DOCKER_HUB.contains(host.toLowerCase(Locale.ROOT));
    }

    private int configuredIndex(String host) {
        for (int i = 0; i < remotes.size(); i++) {
            URI url = remotes.get(i).url();
            boolean defaultPort = url.getPort() < 0;
            if (remotes.get(i).hostKey().equalsIgnoreCase(host) || (defaultPort && url.getHost().equalsIgnoreCase(host))) {
                return i;
            }
        }
        return -1;
    }

    private static String namespaceOf(RepositoryName name) {
        return name.value().split("/", 2)[0];
    }

    /** Docker Hub's name for a repository: single-component names are official images under {@code library/}. */
    public static String hubName(String name) {
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
}
