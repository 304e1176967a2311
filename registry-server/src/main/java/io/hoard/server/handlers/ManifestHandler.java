package io.hoard.server.handlers;

import io.hoard.model.Digest;
import io.hoard.model.DigestAlgorithm;
import io.hoard.model.ErrorCode;
import io.hoard.model.MediaTypes;
import io.hoard.model.Reference;
import io.hoard.model.RegistryException;
import io.hoard.server.http.ClientGoneException;
import io.hoard.server.http.Exchange;
import io.hoard.storage.Manifest;
import io.hoard.storage.ManifestParser;
import io.hoard.storage.Repository;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code GET|HEAD|PUT|DELETE /v2/<name>/manifests/<reference>}. */
public final class ManifestHandler {

    private final HandlerSettings settings;
    private final int maxManifestBytes;
    private final io.hoard.storage.AccessTimes accessTimes;

    /** @param accessTimes where pulls are recorded, for eviction's least-recently-used order */
    public ManifestHandler(HandlerSettings settings, int maxManifestBytes, io.hoard.storage.AccessTimes accessTimes) {
        this.settings = settings;
        this.maxManifestBytes = maxManifestBytes;
        this.accessTimes = accessTimes;
    }

    void handle(Exchange exchange, Repository repo, String referenceText) throws ClientGoneException {
        Reference reference;
        try {
            reference = Reference.parse(referenceText);
        } catch (RegistryException e) {
            if (exchange.method().equals("GET") || exchange.method().equals("HEAD")) {
                // Nothing can be stored under a reference that is neither a tag nor a digest: it is
                // simply unknown, as the OCI conformance suite expects; a PUT keeps the 400.
                throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "no manifest can have that reference: " + e.detail());
            }
            throw e;
        }
        switch (exchange.method()) {
            case "PUT" -> put(exchange, repo, reference);
            case "DELETE" -> delete(exchange, repo, reference);
            default -> get(exchange, repo, reference);
        }
    }

    private void get(Exchange exchange, Repository repo, Reference reference) {
        Manifest manifest = find(repo, reference);
        Set<String> accepted = accepted(exchange);
        if (!accepts(accepted, manifest.mediaType()) && reference instanceof Reference.Tag) {
            manifest = platformDefault(repo, manifest, accepted).orElseThrow(() -> new RegistryException(
                    ErrorCode.MANIFEST_UNKNOWN, "manifest %s:%s is %s, which the request's Accept header (%s) does not allow"
                            .formatted(repo.name(), reference, find(repo, reference).mediaType(), String.join(", ", accepted))));
        }
        respond(exchange, repo, manifest);
    }

    /**
     * Answers a GET or HEAD of a manifest from memory alone, when the repository, the tag and the
     * manifest are all known there and the client accepts its media type; false leaves the request
     * to {@link #handle}. Runs on the event loop: nothing here may block.
     */
    boolean answerFromMemory(Exchange exchange, Repository repo, String referenceText) {
        Reference reference;
        try {
            reference = Reference.parse(referenceText);
        } catch (RegistryException e) {
            return false;
        }
        Optional<Digest> digest = switch (reference) {
            case Reference.ByDigest(Digest d) -> Optional.of(d);
            case Reference.Tag(String tag) -> repo.tags().getInMemory(tag);
        };
        Optional<Manifest> manifest = digest.flatMap(d -> repo.manifests().getInMemory(d));
        if (manifest.isEmpty() || !accepts(accepted(exchange), manifest.get().mediaType())) {
            return false;
        }
        respond(exchange, repo, manifest.get());
        return true;
    }

    private void respond(Exchange exchange, Repository repo, Manifest manifest) {
        accessTimes.touch(repo.name(), manifest.digest());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Docker-Content-Digest", manifest.digest().toString());
        headers.put("ETag", "\"" + manifest.digest() + "\"");
        exchange.respondBytes(200, headers, manifest.content(), manifest.mediaType());
    }

    private static Manifest find(Repository repo, Reference reference) {
        Digest digest = switch (reference) {
            case Reference.ByDigest(Digest d) -> d;
            case Reference.Tag(String tag) -> repo.tags().get(tag).orElseThrow(() -> new RegistryException(
                    ErrorCode.MANIFEST_UNKNOWN, "tag '" + tag + "' is not in repository " + repo.name()));
        };
        return repo.manifests().get(digest).orElseThrow(() -> new RegistryException(ErrorCode.MANIFEST_UNKNOWN,
                "manifest " + digest + " is not in repository " + repo.name()));
    }

    private void put(Exchange exchange, Repository repo, Reference reference) throws ClientGoneException {
        byte[] content = exchange.body().readAll(maxManifestBytes, "the manifest");
        DigestAlgorithm algorithm = reference instanceof Reference.ByDigest(Digest d) ? d.algorithm() : DigestAlgorithm.SHA256;
        if (reference instanceof Reference.ByDigest(Digest expected)) {
            Digest actual = Digest.of(algorithm, content);
            if (!actual.equals(expected)) {
                throw new RegistryException(ErrorCode.DIGEST_INVALID,
                        "the manifest's digest is %s, not %s as the URL says".formatted(actual, expected));
            }
        }
        Manifest stored = repo.manifests().put(content, exchange.header("Content-Type").orElse(null), algorithm);
        if (reference instanceof Reference.Tag(String tag)) {
            repo.tags().tag(tag, stored.digest());
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Location", exchange.url("/v2/" + repo.name() + "/manifests/" + stored.digest()));
        headers.put("Docker-Content-Digest", stored.digest().toString());
        if (stored.subject() != null) {
            headers.put("OCI-Subject", stored.subject().toString());
        }
        exchange.respond(201, headers);
    }

    private void delete(Exchange exchange, Repository repo, Reference reference) {
        if (!settings.deleteEnabled()) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "deletes are disabled (storage.delete.enabled: false)");
        }
        switch (reference) {
            case Reference.ByDigest(Digest d) -> repo.manifests().delete(d);
            case Reference.Tag(String tag) -> repo.tags().untag(tag);
        }
        exchange.respond(202, Map.of());
    }

    /** The media types of every {@code Accept} header, without parameters; empty means anything. */
    private static Set<String> accepted(Exchange exchange) {
        List<String> headers = exchange.headers("Accept");
        if (headers.size() == 1) {
            return acceptHeader(headers.get(0));
        }
        Set<String> types = new LinkedHashSet<>();
        headers.forEach(h -> types.addAll(acceptHeader(h)));
        return types;
    }

    /**
     * One {@code Accept} header's media types. Clients send the same few headers over and over,
     * so short ones are parsed once and remembered (a bounded map).
     */
    private static Set<String> acceptHeader(String header) {
        Set<String> known = ACCEPT_HEADERS.get(header);
        if (known != null) {
            return known;
        }
        Set<String> types = new LinkedHashSet<>();
        for (String part : header.split(",")) {
            String type = part.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
            if (!type.isEmpty()) {
                types.add(type);
            }
        }
        Set<String> parsed = java.util.Collections.unmodifiableSet(types);
        if (header.length() <= 1024 && ACCEPT_HEADERS.size() < 256) {
            ACCEPT_HEADERS.put(header, parsed);
        }
        return parsed;
    }

    private static final java.util.concurrent.ConcurrentHashMap<String, Set<String>> ACCEPT_HEADERS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static boolean accepts(Set<String> accepted, String mediaType) {
        return accepted.isEmpty() || accepted.contains("*/*") || accepted.contains("application/*")
                || accepted.contains(mediaType);
    }

    /**
     * For a client that takes single-image manifests only (an old Docker), the linux/amd64 entry
     * of an index, as distribution does.
     */
    private static Optional<Manifest> platformDefault(Repository repo, Manifest index, Set<String> accepted) {
        if (!MediaTypes.isIndex(index.mediaType())) {
            return Optional.empty();
        }
        for (ManifestParser.IndexEntry entry : ManifestParser.indexEntries(index.content())) {
            if ("linux".equals(entry.os()) && "amd64".equals(entry.architecture())) {
                Optional<Manifest> child = repo.manifests().get(entry.descriptor().digest());
                if (child.isPresent() && accepts(accepted, child.get().mediaType())) {
                    return child;
                }
            }
        }
        return Optional.empty();
    }
}
