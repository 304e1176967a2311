package io.hoard.server.handlers;

import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.server.http.Exchange;
import io.hoard.server.http.RequestDispatcher;
import io.hoard.server.http.Route;
import io.hoard.storage.Registry;
import java.util.Map;
import java.util.Set;

/** Sends each route to its handler, after the checks every route shares (name grammar, read-only mode). */
public final class RegistryDispatcher implements RequestDispatcher {
    private static final Set<String> WRITES = Set.of("PUT", "POST", "PATCH", "DELETE");

    private final HandlerSettings settings;
    private final CatalogHandler catalog;
    private final TagsHandler tags;
    private final ManifestHandler manifests;
    private final BlobHandler blobs;
    private final UploadHandler uploads;
    private final ReferrersHandler referrers;

    public RegistryDispatcher(Registry registry, HandlerSettings settings, int maxManifestBytes) {
        this.settings = settings;
        this.catalog = new CatalogHandler(registry, settings.catalogMaxEntries());
        this.tags = new TagsHandler(registry);
        this.manifests = new ManifestHandler(registry, settings, maxManifestBytes);
        this.blobs = new BlobHandler(registry, settings);
        this.uploads = new UploadHandler(registry);
        this.referrers = new ReferrersHandler(registry);
    }

    @Override
    public void dispatch(Route route, Exchange exchange) throws Exception {
        if (settings.readOnly() && WRITES.contains(exchange.method())) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "the registry is in read-only mode");
        }
        switch (route) {
            case Route.Base() -> exchange.respondBytes(200, Map.of(), "{}".getBytes(), "application/json; charset=utf-8");
            case Route.Catalog() -> catalog.get(exchange);
            case Route.TagsList(String name) -> tags.list(exchange, RepositoryName.of(name));
            case Route.Manifest(String name, String ref) -> manifests.handle(exchange, RepositoryName.of(name), ref);
            case Route.Blob(String name, String digest) -> blobs.handle(exchange, RepositoryName.of(name), digest);
            case Route.UploadStart(String name) -> uploads.start(exchange, RepositoryName.of(name));
            case Route.Upload(String name, String id) -> uploads.handle(exchange, RepositoryName.of(name), id);
            case Route.Referrers(String name, String digest) -> referrers.get(exchange, RepositoryName.of(name), digest);
        }
    }
}
