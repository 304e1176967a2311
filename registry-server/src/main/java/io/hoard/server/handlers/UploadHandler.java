package io.hoard.server.handlers;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.server.http.ClientGoneException;
import io.hoard.server.http.Exchange;
import io.hoard.storage.Repository;
import io.hoard.storage.Upload;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The push protocol (distribution spec "Pushing blobs"): {@code POST .../blobs/uploads/} starts a
 * session (or uploads monolithically with {@code ?digest=}, or mounts with {@code ?mount=&from=}),
 * {@code PATCH} appends a chunk (whose {@code Content-Range} must start where the session ends),
 * {@code PUT ?digest=} finishes, {@code GET} reports progress and {@code DELETE} cancels.
 */
public final class UploadHandler {
    private static final Pattern CONTENT_RANGE = Pattern.compile("(?:bytes[ =])?\\s*(\\d+)-(\\d+)(?:/\\S+)?");

    private final MountSources mountSources;

    public UploadHandler(MountSources mountSources) {
        this.mountSources = mountSources;
    }

    void start(Exchange exchange, Repository repo) throws ClientGoneException {
        RepositoryName name = repo.name();
        Optional<String> mount = exchange.query("mount");
        if (mount.isPresent()) {
            // With from: that repository; without (OCI 1.1 automatic mount, as zot does): any that may lend it.
            Digest digest = Digest.parse(mount.get());
            Optional<RepositoryName> from = exchange.query("from").isPresent()
                    ? Optional.of(RepositoryName.of(exchange.query("from").get()))
                            .filter(f -> mountSources.mayMountFrom(f, digest))
                    : mountSources.holder(digest);
            Optional<Descriptor> mounted = from.flatMap(f -> repo.blobs().mount(digest, f));
            if (mounted.isPresent()) {
                created(exchange, name, digest);
                return;
            }
            // Not mountable: fall back to a regular upload session, as the spec allows.
        }
        Optional<String> digestParam = exchange.query("digest");
        if (digestParam.isPresent()) {
            Digest digest = Digest.parse(digestParam.get());
            Upload upload = repo.uploads().start();
            try {
                exchange.body().transferTo(upload::write);
            } catch (ClientGoneException | RuntimeException e) {
                upload.cancel();
                throw e;
            }
            upload.commit(digest);
            created(exchange, name, digest);
            return;
        }
        Upload upload = repo.uploads().start();
        upload.close();
        accepted(exchange, name, upload);
    }

    void handle(Exchange exchange, Repository repo, String id) throws ClientGoneException {
        RepositoryName name = repo.name();
        switch (exchange.method()) {
            case "GET", "HEAD" -> {
                try (Upload upload = repo.uploads().resume(id)) {
                    status(exchange, name, upload, 204);
                }
            }
            case "DELETE" -> {
                repo.uploads().resume(id).cancel();
                exchange.respond(204, Map.of());
            }
            case "PATCH" -> patch(exchange, name, repo.uploads().resume(id));
            case "PUT" -> put(exchange, name, repo.uploads().resume(id));
            default -> throw new RegistryException(ErrorCode.UNSUPPORTED, exchange.method() + " on an upload");
        }
    }

    private void patch(Exchange exchange, RepositoryName name, Upload upload) throws ClientGoneException {
        // The session is saved before the client hears back, so its next request sees every byte.
        try (upload) {
            appendChunk(exchange, name, upload);
        }
        accepted(exchange, name, upload);
    }

    private void put(Exchange exchange, RepositoryName name, Upload upload) throws ClientGoneException {
        String digestText = exchange.query("digest").orElse(null);
        if (digestText == null) {
            upload.close();
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "the digest query parameter is required to finish an upload");
        }
        Digest digest;
        try {
            digest = Digest.parse(digestText);
            if (exchange.hasBody()) {
                appendChunk(exchange, name, upload);
            }
        } catch (ClientGoneException | RuntimeException e) {
            upload.close();
            throw e;
        }
        upload.commit(digest);
        created(exchange, name, digest);
    }

    /** Appends the request body to the session, checking it against its {@code Content-Range}, if any. */
    private static void appendChunk(Exchange exchange, RepositoryName name, Upload upload) throws ClientGoneException {
        long expected = checkContentRange(exchange, name, upload);
        long written = exchange.body().transferTo(upload::write);
        if (expected >= 0 && written != expected) {
            throw new RegistryException(ErrorCode.SIZE_INVALID, "Content-Range announced %d bytes but the body had %d"
                    .formatted(expected, written));
        }
    }

    /**
     * Checks a chunk's {@code Content-Range} against the session: it must start where the session
     * ends. Returns the announced length, or -1 when there is no such header.
     */
    private static long checkContentRange(Exchange exchange, RepositoryName name, Upload upload) {
        Optional<String> header = exchange.header("Content-Range");
        if (header.isEmpty()) {
            return -1;
        }
        Matcher m = CONTENT_RANGE.matcher(header.get().trim());
        if (!m.matches()) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID,
                    "Content-Range must be <start>-<end>, not '" + abbreviate(header.get()) + "'");
        }
        long start;
        long end;
        try {
            start = Long.parseLong(m.group(1));
            end = Long.parseLong(m.group(2));
        } catch (NumberFormatException e) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, "Content-Range numbers are too large");
        }
        if (start != upload.size() || end < start) {
            throw new RegistryException(ErrorCode.RANGE_INVALID,
                    "chunk %d-%d does not continue upload %s of %s, which has %d bytes".formatted(
                            start, end, upload.id(), name, upload.size()));
        }
        long length = end - start + 1;
        Optional<String> contentLength = exchange.header("Content-Length");
        if (contentLength.isPresent() && !contentLength.get().equals(Long.toString(length))) {
            throw new RegistryException(ErrorCode.SIZE_INVALID, "Content-Range %d-%d is %d bytes but Content-Length is %s"
                    .formatted(start, end, length, contentLength.get()));
        }
        return length;
    }

    private static void accepted(Exchange exchange, RepositoryName name, Upload upload) {
        status(exchange, name, upload, 202);
    }

    private static void status(Exchange exchange, RepositoryName name, Upload upload, int status) {
        exchange.respond(status, Map.of(
                "Location", exchange.url("/v2/" + name + "/blobs/uploads/" + upload.id()),
                "Range", "0-" + Math.max(0, upload.size() - 1),
                "Docker-Upload-UUID", upload.id()));
    }

    private static void created(Exchange exchange, RepositoryName name, Digest digest) {
        exchange.respond(201, Map.of(
                "Location", exchange.url("/v2/" + name + "/blobs/" + digest),
                "Docker-Content-Digest", digest.toString()));
    }

    private static String abbreviate(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }
}
