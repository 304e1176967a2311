package io.hoard.proxy;

import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.storage.Access;
import io.hoard.storage.CacheStorage;
import io.hoard.storage.Origin;
import io.hoard.storage.Repository;
import io.hoard.storage.RepositoryResolver;
import io.hoard.upstream.Credentials;
import io.hoard.upstream.UpstreamException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The repository for each request of a pull-through cache: {@link ProxyRouter} decides where a
 * name goes, {@link Upstreams} supplies the upstream (and the client's credentials under
 * {@code proxy.on}), {@link ProxyRepositories} the cache's stores. What is left here is a first
 * push's claim on a name: it must not shadow what the default upstream serves.
 */
public final class ProxyResolver implements RepositoryResolver {
    private final ProxyRouter router;
    private final Upstreams upstreams;
    private final ProxyRepositories repositories;
    private final CacheStorage storage;
    /**
     * Routes of pulls that need no client credentials, remembered for a few seconds so that a
     * pull from cache is routed from memory (and can be answered on the event loop); any push
     * forgets them all.
     */
    private final ConcurrentHashMap<String, Remembered> pulls = new ConcurrentHashMap<>();

    private record Remembered(Repository repository, long atNanos) {
    }

    private static final long REMEMBER_NANOS = 5_000_000_000L;
    private static final int MAX_REMEMBERED = 10_000;

    public ProxyResolver(ProxyRouter router, Upstreams upstreams, ProxyRepositories repositories, CacheStorage storage) {
        this.router = router;
        this.upstreams = upstreams;
        this.repositories = repositories;
        this.storage = storage;
    }

    @Override
    public Repository resolve(String name, Access access) {
        if (access.write()) {
            pulls.clear();
        }
        ProxyRouter.Route route = router.route(name, access.namespace(), access.write());
        Repository repository = switch (route) {
            case ProxyRouter.Local local -> access.write() ? claim(local.cacheName()) : storage.repository(local.cacheName());
            case ProxyRouter.Configured c -> repositories.of(upstreams.target(c));
            case ProxyRouter.ClientNamed c -> repositories.of(upstreams.target(c,
                    Credentials.fromBasicHeader(access.authorization())));
        };
        if (!access.write() && settled(name, route)) {
            if (pulls.size() >= MAX_REMEMBERED) {
                pulls.clear();
            }
            pulls.put(pullKey(name, access), new Remembered(repository, System.nanoTime()));
        }
        return repository;
    }

    @Override
    public Optional<Repository> resolveInMemory(String name, Access access) {
        if (access.write()) {
            return Optional.empty();
        }
        Remembered r = pulls.get(pullKey(name, access));
        return r != null && System.nanoTime() - r.atNanos() < REMEMBER_NANOS ? Optional.of(r.repository()) : Optional.empty();
    }

    private static String pullKey(String name, Access access) {
        return access.namespace() == null ? name : name + "?ns=" + access.namespace();
    }

    /**
     * A route that stays as it is: not through client credentials, and not through a name whose
     * first push is under way (it becomes local when the push completes).
     */
    private boolean settled(String name, ProxyRouter.Route route) {
        if (route instanceof ProxyRouter.ClientNamed || router.pushPending(route.cacheName())) {
            return false;
        }
        try {
            return !router.pushPending(RepositoryName.of(name));
        } catch (RegistryException notAName) {
            return true; // a host-prefixed name: routed by its host alone
        }
    }

    @Override
    public boolean listed(String name) {
        return router.listed(name);
    }

    /**
     * A push into a local name. Until pushed content exists (an abandoned upload leaves only the
     * mark), the name stays claimable by the upstream: ask again, so a name claimed early cannot
     * shadow it later.
     */
    private Repository claim(RepositoryName name) {
        if (router.mustCheckShadowing(name)) {
            refuseShadowing(name);
        }
        if (storage.origin(name) == Origin.UNKNOWN) {
            storage.markOrigin(name, Origin.LOCAL);
        }
        return storage.repository(name);
    }

    /**
     * A first push into a name must not shadow what the default upstream serves (otherwise anyone
     * allowed to push could replace {@code alpine} for everyone): refused when the upstream has the
     * repository, or cannot say, unless the namespace is declared local.
     */
    private void refuseShadowing(RepositoryName name) {
        String namespace = name.value().split("/", 2)[0];
        String remote = ProxyRouter.hubName(name.value());
        Upstreams.Configured def = upstreams.configured().get(0);
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
}
