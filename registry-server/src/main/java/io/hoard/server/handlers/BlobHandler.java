package io.hoard.server.handlers;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.server.http.Exchange;
import io.hoard.storage.BlobContent;
import io.hoard.storage.Repository;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** {@code GET|HEAD|DELETE /v2/<name>/blobs/<digest>}, with single byte ranges. */
public final class BlobHandler {
    private final HandlerSettings settings;
    private final io.hoard.storage.BlobUse inUse;

    /** @param inUse where streams in progress are recorded, so that eviction leaves their blobs alone */
    public BlobHandler(HandlerSettings settings, io.hoard.storage.BlobUse inUse) {
        this.settings = settings;
        this.inUse = inUse;
    }

    void handle(Exchange exchange, Repository repo, String digestText) throws IOException {
        Digest digest = Digest.parse(digestText);
        RepositoryName name = repo.name();
        if (exchange.method().equals("DELETE")) {
            delete(exchange, repo, digest);
            return;
        }
        if (settings.redirects() && !exchange.isHead()) {
            Optional<java.net.URI> direct = repo.blobs().redirect(digest);
            if (direct.isPresent()) {
                // distribution's default on s3: the bytes flow from the object store, not through us.
                exchange.respond(307, Map.of("Location", direct.get().toString(), "Docker-Content-Digest",
                        digest.toString()));
                return;
            }
        }
        // A GET opens the blob straight away (one lookup, and for a cache miss no upstream HEAD
        // before the fetch); only a HEAD asks for the descriptor alone.
        if (exchange.isHead()) {
            Descriptor blob = repo.blobs().stat(digest).orElseThrow(
                    () -> new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in repository " + name));
            respond(exchange, digest, blob, null);
            return;
        }
        inUse.acquire(digest);
        try {
            BlobContent content = repo.blobs().open(digest, 0);
            respond(exchange, digest, content.descriptor(), content);
        } finally {
            inUse.release(digest);
        }
    }

    /**
     * Answers a HEAD of a blob from memory alone (link and size known), on the event loop; false
     * leaves the request to {@link #handle}.
     */
    boolean answerHeadFromMemory(Exchange exchange, Repository repo, String digestText) throws IOException {
        if (!exchange.isHead()) {
            return false;
        }
        Optional<Descriptor> blob;
        Digest digest;
        try {
            digest = Digest.parse(digestText);
            blob = repo.blobs().statInMemory(digest);
        } catch (RegistryException e) {
            return false;
        }
        if (blob.isEmpty()) {
            return false;
        }
        respond(exchange, digest, blob.get(), null);
        return true;
    }

    /** The answer for a blob: its headers, a range if asked, and the bytes unless {@code content} is null (HEAD). */
    private static void respond(Exchange exchange, Digest digest, Descriptor blob, @Nullable BlobContent content)
            throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Docker-Content-Digest", digest.toString());
        headers.put("Content-Type", Descriptor.OCTET_STREAM);
        headers.put("Accept-Ranges", "bytes");
        headers.put("ETag", "\"" + digest + "\"");
        headers.put("Cache-Control", "max-age=31536000");
        Optional<ByteRange> range;
        try {
            range = ByteRange.parse(exchange.header("Range").orElse(null), blob.size());
        } catch (RegistryException e) {
            if (content != null) {
                content.close();
            }
            exchange.respondError(e, Map.of("Content-Range", "bytes */" + blob.size()));
            return;
        }
        long offset = range.map(ByteRange::start).orElse(0L);
        long length = range.map(ByteRange::length).orElse(blob.size());
        range.ifPresent(r -> headers.put("Content-Range", r.contentRange(blob.size())));
        if (content == null) {
            headers.put("Content-Length", Long.toString(length));
            exchange.respond(range.isPresent() ? 206 : 200, headers);
            return;
        }
        if (offset > 0) {
            content = new BlobContent(blob, content.channel().position(offset), offset);
        }
        exchange.respondBlob(range.isPresent() ? 206 : 200, headers, content, length);
    }

    private void delete(Exchange exchange, Repository repo, Digest digest) {
        if (!settings.deleteEnabled()) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "deletes are disabled (storage.delete.enabled: false)");
        }
        repo.blobs().delete(digest);
        exchange.respond(202, Map.of());
    }
}
