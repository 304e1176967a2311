package io.hoard.server.handlers;

import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.server.auth.AccessControl;
import io.hoard.server.http.Exchange;
import io.hoard.server.http.RequestDispatcher;
import io.hoard.server.http.Route;
import io.hoard.storage.Access;
import io.hoard.storage.Repository;
import io.hoard.storage.RepositoryResolver;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Sends each route to its handler, after the checks every route shares (client authentication, read-only mode). */
public final class RegistryDispatcher implements RequestDispatcher {
    private static final Set<String> WRITES = Set.of("PUT", "POST", "PATCH", "DELETE");

    private final HandlerSettings settings;
    private final RepositoryResolver resolver;
    private final CatalogHandler catalog;
    private final TagsHandler tags;
    private final ManifestHandler manifests;
    private final BlobHandler blobs;
    private final UploadHandler uploads;
    private final ReferrersHandler referrers;
    private final PeerFillHandler peerFills;
    private final io.hoard.server.admin.AdminApi admin;
    private final @Nullable AccessControl access;
    private final io.hoard.server.health.HealthMonitor health;

    /**
     * @param resolver which repository serves a name: local, or a cache of an upstream
     * @param access client authentication ({@code auth.htpasswd}), or null for an open registry
     */
    public RegistryDispatcher(RepositoryResolver resolver, HandlerSettings settings, Handlers handlers,
            @Nullable AccessControl access, io.hoard.server.health.HealthMonitor health) {
        this.access = access;
        this.health = health;
        this.settings = settings;
        this.resolver = resolver;
        this.catalog = handlers.catalog();
        this.tags = handlers.tags();
        this.manifests = handlers.manifests();
        this.blobs = handlers.blobs();
        this.uploads = handlers.uploads();
        this.referrers = handlers.referrers();
        this.peerFills = handlers.peerFills();
        this.admin = handlers.admin();
    }

    @Override
    public void dispatch(Route route, Exchange exchange) throws Exception {
        if (route instanceof Route.Token) {
            token(exchange);
            return;
        }
        if (route instanceof Route.PeerFill(String digest)) {
            peerFills.handle(exchange, digest); // signed by another instance, never a client's credentials
            return;
        }
        if (route instanceof Route.Admin(String path)) {
            admin.handle(exchange, path); // its own callers: admin.users, or loopback
            return;
        }
        if (route instanceof Route.Healthz) {
            healthz(exchange);
            return;
        }
        String failing = health.gatingFailure();
        if (failing != null) {
            // distribution's behaviour: while a health check fails, the registry says so instead of serving.
            throw new RegistryException(ErrorCode.UNAVAILABLE, "health check failing: " + failing);
        }
        if (access != null) {
            Optional<AccessControl.Denial> denial = access.check(exchange.header("Authorization").orElse(null),
                    isWrite(exchange), resource(route, exchange), () -> exchange.absoluteUrl(AccessControl.TOKEN_PATH));
            if (denial.isPresent()) {
                exchange.respondError(denial.get().error(), Map.of("WWW-Authenticate", denial.get().challenge()));
                return;
            }
        }
        if (settings.readOnly() && WRITES.contains(exchange.method())) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "the registry is in read-only mode");
        }
        switch (route) {
            case Route.Base() -> exchange.respondBytes(200, Map.of(), "{}".getBytes(), "application/json; charset=utf-8");
            case Route.Catalog() -> catalog.get(exchange);
            case Route.TagsList(String name) -> tags.list(exchange, repository(exchange, name, false));
            case Route.Manifest(String name, String ref) -> manifests.handle(exchange, repository(exchange, name, isWrite(exchange)), ref);
            case Route.Blob(String name, String digest) -> blobs.handle(exchange, repository(exchange, name, isWrite(exchange)), digest);
            case Route.UploadStart(String name) -> uploads.start(exchange, repository(exchange, name, true));
            case Route.Upload(String name, String id) -> uploads.handle(exchange, repository(exchange, name, true), id);
            case Route.Referrers(String name, String digest) -> referrers.get(exchange, repository(exchange, name, false), digest);
            case Route.Token() -> throw new IllegalStateException("answered above");
            case Route.PeerFill(String digest) -> throw new IllegalStateException("answered above");
            case Route.Admin(String path) -> throw new IllegalStateException("answered above");
            case Route.Healthz() -> throw new IllegalStateException("answered above");
        }
    }

    /**
     * Answers a pull of a cached manifest, or a HEAD of a cached blob, from memory on the calling thread (the event loop), when
     * nothing about it needs storage, an upstream or a password check: an open registry (no
     * {@code auth}), a route and manifest already in memory. False sends the request to a worker.
     */
    @Override
    public boolean answerFromMemory(Route route, Exchange exchange) throws IOException {
        if (access != null || isWrite(exchange) || health.gatingFailure() != null) {
            return false;
        }
        return switch (route) {
            case Route.Manifest(String name, String reference) -> {
                Optional<Repository> repo = resolver.resolveInMemory(name, pull(exchange));
                yield repo.isPresent() && manifests.answerFromMemory(exchange, repo.get(), reference);
            }
            case Route.Blob(String name, String digest) -> {
                Optional<Repository> repo = exchange.isHead() ? resolver.resolveInMemory(name, pull(exchange))
                        : Optional.empty();
                yield repo.isPresent() && blobs.answerHeadFromMemory(exchange, repo.get(), digest);
            }
            default -> false;
        };
    }

    /** {@code GET /healthz}: 200 {"status":"ok"}, or 503 with the failing checks and what each said. */
    private void healthz(Exchange exchange) {
        Map<String, String> failing = health.failing();
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("status", failing.isEmpty() ? "ok" : "failing");
        if (!failing.isEmpty()) {
            body.put("failing", failing);
        }
        exchange.respondJson(failing.isEmpty() ? 200 : 503, Map.of("Cache-Control", "no-store"), body,
                "application/json; charset=utf-8");
    }

    /** {@code GET /auth/token}: Hoard's own tokens for {@code auth.htpasswd.anonymouspull}. */
    private void token(Exchange exchange) {
        if (access == null || !access.anonymousPull()) {
            throw new RegistryException(ErrorCode.NOT_FOUND, "no token service: auth.htpasswd.anonymouspull is off");
        }
        Optional<AccessControl.Token> token = access.token(exchange.header("Authorization").orElse(null),
                exchange.queryAll("scope"));
        if (token.isEmpty()) {
            exchange.respondError(new RegistryException(ErrorCode.UNAUTHORIZED, "invalid username or password"),
                    Map.of("WWW-Authenticate", access.basicChallenge()));
            return;
        }
        exchange.respondJson(200, Map.of("Cache-Control", "no-store"), Map.of("token", token.get().token(),
                "access_token", token.get().token(), "expires_in", token.get().expiresInSeconds()),
                "application/json; charset=utf-8");
    }

    private Repository repository(Exchange exchange, String name, boolean write) {
        return resolver.resolve(name, write ? new Access(true, exchange.query("ns").orElse(null), upstreamAuthorization(exchange))
                : pull(exchange));
    }

    private Access pull(Exchange exchange) {
        return new Access(false, exchange.query("ns").orElse(null), upstreamAuthorization(exchange));
    }

    /**
     * The client's credentials for an upstream ({@code proxy.on}). With client authentication on,
     * the Authorization header holds Hoard's credentials: never passed on (proxy.on then proxies
     * anonymously).
     */
    private @Nullable String upstreamAuthorization(Exchange exchange) {
        return access != null ? null : exchange.header("Authorization").orElse(null);
    }

    /** What a token must grant for the route; null for {@code /v2/}, which any valid token may ping. */
    private static AccessControl.@Nullable Resource resource(Route route, Exchange exchange) {
        String action = exchange.method().equals("DELETE") ? "delete" : isWrite(exchange) ? "push" : "pull";
        return switch (route) {
            case Route.Base() -> null;
            case Route.Token() -> null;
            case Route.PeerFill(String digest) -> null;
            case Route.Admin(String path) -> null;
            case Route.Healthz() -> null;
            case Route.Catalog() -> AccessControl.Resource.catalog();
            case Route.TagsList(String name) -> AccessControl.Resource.repository(name, action);
            case Route.Manifest(String name, String ref) -> AccessControl.Resource.repository(name, action);
            case Route.Blob(String name, String digest) -> AccessControl.Resource.repository(name, action);
            case Route.UploadStart(String name) -> AccessControl.Resource.repository(name, "push");
            case Route.Upload(String name, String id) -> AccessControl.Resource.repository(name, "push");
            case Route.Referrers(String name, String digest) -> AccessControl.Resource.repository(name, action);
        };
    }

    private static boolean isWrite(Exchange exchange) {
        return WRITES.contains(exchange.method());
    }
}
