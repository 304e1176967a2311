package io.hoard.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoard.model.ErrorCode;
import io.hoard.model.ImageReference;
import io.hoard.model.Json;
import io.hoard.model.Reference;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.proxy.ImageCopier;
import io.hoard.server.http.Exchange;
import io.hoard.server.http.Router;
import io.hoard.storage.Access;
import io.hoard.storage.Pin;
import io.hoard.storage.Pins;
import io.hoard.storage.Repository;
import io.hoard.storage.RepositoryResolver;
import io.hoard.upstream.Credentials;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /hoard/api/v1/}: {@code POST copies} stages an image under a local tag and pins it;
 * {@code GET pins}, {@code PUT} and {@code DELETE pins/<repo>[:<tag>|@<digest>]} manage pins;
 * {@code POST maintenance/eviction} and {@code POST maintenance/gc} run the cache's upkeep now.
 * Answers are JSON; errors are V2 error bodies.
 */
public final class AdminApi {
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    private static final int MAX_BODY = 64 * 1024;
    private static final String JSON = "application/json; charset=utf-8";

    /** The cache's upkeep, run on request. */
    public interface Maintenance {
        /** Runs eviction now; what it did, as JSON. */
        Map<String, Object> evict();

        /** Runs the online garbage collection now; what it did (or would do), as JSON. */
        Map<String, Object> collect(boolean dryRun);

        Maintenance NONE = new Maintenance() {
            @Override
            public Map<String, Object> evict() {
                throw new RegistryException(ErrorCode.UNSUPPORTED, "there is no cache to evict from: no proxy section");
            }

            @Override
            public Map<String, Object> collect(boolean dryRun) {
                throw new RegistryException(ErrorCode.UNSUPPORTED, "garbage collection is not available here");
            }
        };
    }

    private final AdminAccess access;
    private final ImageCopier copier;
    private final RepositoryResolver resolver;
    private final Pins pins;
    private final Function<String, RepositoryName> storedName;
    private final boolean readOnly;
    private final Maintenance maintenance;

    /**
     * @param storedName the repository a name as clients spell it is stored under
     *        ({@code docker.io/library/alpine} → {@code library/alpine} in a cache of Docker Hub)
     */
    public AdminApi(AdminAccess access, ImageCopier copier, RepositoryResolver resolver, Pins pins,
            Function<String, RepositoryName> storedName, boolean readOnly, Maintenance maintenance) {
        this.access = access;
        this.copier = copier;
        this.resolver = resolver;
        this.pins = pins;
        this.storedName = storedName;
        this.readOnly = readOnly;
        this.maintenance = maintenance;
    }

    /** Answers {@code /hoard/api/v1/<rawPath>}. */
    public void handle(Exchange exchange, String rawPath) throws IOException {
        String caller = access.check(exchange);
        String method = exchange.method();
        if (rawPath.equals("copies")) {
            require(method, "POST");
            copy(exchange, caller);
        } else if (rawPath.equals("pins")) {
            require(method, "GET");
            listPins(exchange);
        } else if (rawPath.startsWith("pins/")) {
            Pin pin = Pin.parse(decode(rawPath.substring("pins/".length())), storedName);
            switch (method) {
                case "PUT" -> {
                    boolean added = pins.add(pin);
                    LOG.info("{} pinned {}", caller, pin);
                    exchange.respondJson(added ? 201 : 200, Map.of(), Map.of("pin", pin.toString()), JSON);
                }
                case "DELETE" -> {
                    pins.remove(pin);
                    LOG.info("{} unpinned {}", caller, pin);
                    exchange.respond(204, Map.of());
                }
                default -> throw notAllowed(method, "PUT or DELETE");
            }
        } else if (rawPath.equals("maintenance/eviction")) {
            require(method, "POST");
            writable();
            exchange.respondJson(200, Map.of(), maintenance.evict(), JSON);
        } else if (rawPath.equals("maintenance/gc")) {
            require(method, "POST");
            boolean dryRun = exchange.query("dryrun").map(v -> v.equals("true") || v.equals("1")).orElse(false);
            if (!dryRun) {
                writable();
            }
            exchange.respondJson(200, Map.of(), maintenance.collect(dryRun), JSON);
        } else {
            throw new RegistryException(ErrorCode.NOT_FOUND, "no admin route /hoard/api/v1/" + rawPath);
        }
    }

    private void copy(Exchange exchange, String caller) throws IOException {
        writable();
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(exchange.body().readAll(MAX_BODY, "a copy request"));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new RegistryException(ErrorCode.BAD_REQUEST, "the copy request is not JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) {
            throw new RegistryException(ErrorCode.BAD_REQUEST, "the copy request is a JSON object with source and target");
        }
        String source = text(body, "source");
        String target = text(body, "target");
        Credentials credentials = credentials(body.get("credentials"));
        ImageReference parts = ImageReference.split(target);
        if (parts.digest() != null) {
            throw new RegistryException(ErrorCode.TAG_INVALID, "the target is a repository and tag, not a digest: " + target);
        }
        String targetName = parts.name();
        String tag = parts.tag() != null ? new Reference.Tag(parts.tag()).name() : null;
        Repository repository = resolver.resolve(targetName, new Access(true, null, null)); // a push's checks and claim
        boolean lines = exchange.header("Accept").map(a -> a.contains("application/x-ndjson")).orElse(false);
        Exchange.JsonLines stream = lines ? exchange.respondJsonLines(200, Map.of()) : null;
        ImageCopier.Progress progress = stream == null ? ImageCopier.Progress.NONE
                : (blob, fetched, done, total, bytesDone, bytesTotal) -> stream.send(orderedMap("blob", blob.digest().toString(),
                        "size", blob.size(), "fetched", fetched, "done", done, "total", total, "bytesDone", bytesDone,
                        "bytesTotal", bytesTotal));
        Map<String, Object> result;
        try {
            ImageCopier.Result r = copier.copy(source, credentials, repository, tag, progress);
            Pin pin = new Pin(repository.name(), r.tag(), r.tag() == null ? r.digest() : null);
            pins.add(pin);
            LOG.info("{} copied {} into {}: {} blobs fetched ({} bytes), {} reused ({} bytes); pinned", caller,
                    source, pin, r.blobsFetched(), r.bytesFetched(), r.blobsReused(), r.bytesReused(),
                    pin);
            result = orderedMap("digest", r.digest().toString(), "mediaType", r.mediaType(), "target", pin.toString(),
                    "blobsFetched", r.blobsFetched(), "bytesFetched", r.bytesFetched(), "blobsReused", r.blobsReused(),
                    "bytesReused", r.bytesReused(), "referrers", r.referrers(), "pinned", true);
        } catch (RegistryException e) {
            LOG.warn("{}: copy of {} into {} failed: {}", caller, source, target, e.getMessage());
            if (stream == null) {
                throw e;
            }
            stream.send(Map.of("error", orderedMap("code", e.code().name(), "message", String.valueOf(e.getMessage()))));
            stream.end();
            return;
        }
        if (stream == null) {
            exchange.respondJson(201, Map.of(), result, JSON);
        } else {
            stream.send(Map.of("result", result));
            stream.end();
        }
    }

    private static @Nullable Credentials credentials(@Nullable JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new RegistryException(ErrorCode.BAD_REQUEST, "credentials is an object: {\"username\", \"password\"} or "
                    + "{\"token\"}");
        }
        if (node.has("token")) {
            try {
                return Credentials.bearer(node.path("token").asText(""));
            } catch (IllegalArgumentException e) {
                throw new RegistryException(ErrorCode.BAD_REQUEST, "credentials.token: " + e.getMessage());
            }
        }
        String user = node.path("username").asText("");
        if (user.isEmpty()) {
            throw new RegistryException(ErrorCode.BAD_REQUEST, "credentials needs a username and password, or a token");
        }
        return new Credentials(user, node.path("password").asText(""));
    }

    private void listPins(Exchange exchange) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Pins.Entry e : pins.list()) {
            Map<String, Object> entry = orderedMap("pin", e.pin().toString(), "source", e.configured() ? "config" : "api");
            if (e.created() != null) {
                entry.put("created", e.created().toString());
            }
            list.add(entry);
        }
        exchange.respondJson(200, Map.of(), Map.of("pins", list), JSON);
    }

    private static String decode(String rawPath) {
        List<String> parts = new ArrayList<>();
        for (String segment : rawPath.split("/", -1)) {
            parts.add(Router.segment(segment, ErrorCode.NAME_INVALID, "the pin"));
        }
        return String.join("/", parts);
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new RegistryException(ErrorCode.BAD_REQUEST, "the copy request needs \"" + field + "\" (a string)");
        }
        return v.asText().trim();
    }

    private void writable() {
        if (readOnly) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "the registry is in read-only mode");
        }
    }

    private static void require(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw notAllowed(method, allowed);
        }
    }

    private static RegistryException notAllowed(String method, String allowed) {
        return new RegistryException(ErrorCode.UNSUPPORTED, method + " is not allowed here; use " + allowed);
    }

    private static Map<String, Object> orderedMap(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
