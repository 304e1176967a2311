package io.hoard.server.handlers;

import io.hoard.server.http.Exchange;
import io.hoard.storage.Registry;
import java.util.List;
import java.util.Map;

/** {@code GET /v2/_catalog}. */
final class CatalogHandler {
    private final Registry registry;
    private final int maxEntries;

    CatalogHandler(Registry registry, int maxEntries) {
        this.registry = registry;
        this.maxEntries = maxEntries;
    }

    void get(Exchange exchange) {
        Pagination p = Pagination.of(exchange, maxEntries);
        // One more than asked tells whether a next page exists.
        List<String> names = p.n() == 0 ? List.of() : registry.catalog(p.n() + 1, p.last());
        boolean more = names.size() > p.n();
        List<String> page = more ? names.subList(0, p.n()) : names;
        exchange.respondJson(200, p.linkHeaders("/v2/_catalog", page, more), Map.of("repositories", page),
                "application/json; charset=utf-8");
    }
}
