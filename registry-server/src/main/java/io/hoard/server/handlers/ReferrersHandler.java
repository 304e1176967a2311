package io.hoard.server.handlers;

import io.hoard.model.Digest;
import io.hoard.model.MediaTypes;
import io.hoard.storage.Repository;
import io.hoard.server.http.Exchange;
import io.hoard.storage.Referrer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /v2/<name>/referrers/<digest>[?artifactType=]} (OCI distribution 1.1): an image index
 * of the manifests whose subject is the digest; empty, not 404, when there are none.
 */
public final class ReferrersHandler {
    void get(Exchange exchange, Repository repo, String digestText) {
        Digest subject = Digest.parse(digestText);
        Optional<String> artifactType = exchange.query("artifactType").filter(s -> !s.isEmpty());
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (Referrer r : repo.manifests().referrers(subject, artifactType.orElse(null))) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("mediaType", r.descriptor().mediaType());
            d.put("digest", r.descriptor().digest().toString());
            d.put("size", r.descriptor().size());
            if (r.artifactType() != null) {
                d.put("artifactType", r.artifactType());
            }
            if (!r.annotations().isEmpty()) {
                d.put("annotations", r.annotations());
            }
            manifests.add(d);
        }
        manifests.sort(java.util.Comparator.comparing(m -> String.valueOf(m.get("digest"))));
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.put("manifests", manifests);
        Map<String, String> headers = artifactType.isPresent() ? Map.of("OCI-Filters-Applied", "artifactType") : Map.of();
        exchange.respondJson(200, headers, index, MediaTypes.OCI_INDEX);
    }
}
