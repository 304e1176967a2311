package io.hoard.server.handlers;

import io.hoard.server.http.Exchange;
import io.hoard.storage.Registry;
import io.hoard.storage.RepositoryResolver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** {@code GET /v2/_catalog}. */
public final class CatalogHandler {
    /** Names read from storage per step while filtering: a step walks the repositories once. */
    private static final int BATCH = 1000;

    private final Registry registry;
    private final RepositoryResolver resolver;
    private final int maxEntries;

    public CatalogHandler(Registry registry, RepositoryResolver resolver, int maxEntries) {
        this.registry = registry;
        this.resolver = resolver;
        this.maxEntries = maxEntries;
    }

    void get(Exchange exchange) {
        Pagination p = Pagination.of(exchange, maxEntries);
        // One more than asked tells whether a next page exists.
        List<String> names = p.n() == 0 ? List.of() : listed(p.n() + 1, p.last());
        boolean more = names.size() > p.n();
        List<String> page = more ? names.subList(0, p.n()) : names;
        exchange.respondJson(200, p.linkHeaders("/v2/_catalog", page, more), Map.of("repositories", page),
                "application/json; charset=utf-8");
    }

    /** Up to {@code n} names after {@code last} that the resolver lets the catalog show. */
    private List<String> listed(int n, @Nullable String last) {
        List<String> names = new ArrayList<>();
        String after = last;
        while (names.size() < n) {
            List<String> batch = registry.catalog(Math.max(n, BATCH), after);
            for (String name : batch) {
                if (names.size() < n && resolver.listed(name)) {
                    names.add(name);
                }
            }
            if (batch.size() < Math.max(n, BATCH)) {
                break;
            }
            after = batch.get(batch.size() - 1);
        }
        return names;
    }
}
