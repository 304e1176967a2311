package io.hoard.server.handlers;

import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.server.http.Exchange;
import io.hoard.server.http.RequestDispatcher;
import io.hoard.server.http.Route;
import io.hoard.storage.Access;
import io.hoard.storage.Registry;
import io.hoard.storage.Repository;
import io.hoard.storage.RepositoryResolver;
import java.util.Map;
import java.util.Set;

/** Sends each route to its handler, after the checks every route shares (name grammar, read-only mode). */
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

    /**
     * @param registry the local store (catalog, cross-repository mounts)
     * @param resolver which repository serves a name: local, or a cache of an upstream
     */
    public RegistryDispatcher(Registry registry, RepositoryResolver resolver, HandlerSettings settings, int maxManifestBytes) {
        this.settings = settings;
        this.resolver = resolver;
        this.catalog = new CatalogHandler(registry, settings.catalogMaxEntries());
        this.tags = new TagsHandler();
        this.manifests = new ManifestHandler(settings, maxManifestBytes);
        this.blobs = new BlobHandler(settings);
        this.uploads = new UploadHandler();
        this.referrers = new ReferrersHandler();
    }

    @Override
    public void dispatch(Route route, Exchange exchange) throws Exception {
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
        }
    }

    private Repository repository(Exchange exchange, String name, boolean write) {
        return resolver.resolve(name, new Access(write, exchange.query("ns").orElse(null),
                exchange.header("Authorization").orElse(null)));
    }

    private static boolean isWrite(Exchange exchange) {
        return WRITES.contains(exchange.method());
    }
}
