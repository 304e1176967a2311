package io.hoard.server.handlers;

import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.server.http.Exchange;
import io.hoard.storage.Repository;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /v2/<name>/tags/list}. */
public final class TagsHandler {
    void list(Exchange exchange, Repository repo) {
        RepositoryName name = repo.name();
        if (!repo.exists()) {
            throw new RegistryException(ErrorCode.NAME_UNKNOWN, "repository " + name + " is not known to the registry");
        }
        Pagination p = Pagination.of(exchange, Integer.MAX_VALUE);
        List<String> all = repo.tags().list();
        List<String> page = p.page(all);
        boolean more = !page.isEmpty() && all.indexOf(page.get(page.size() - 1)) < all.size() - 1;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name.value());
        body.put("tags", page);
        exchange.respondJson(200, p.linkHeaders("/v2/" + name + "/tags/list", page, more), body,
                "application/json; charset=utf-8");
    }
}
