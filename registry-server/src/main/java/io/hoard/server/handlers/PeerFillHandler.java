package io.hoard.server.handlers;

import io.hoard.cluster.PeerClient;
import io.hoard.cluster.PeerSignature;
import io.hoard.model.Digest;
import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.proxy.BlobFetcher;
import io.hoard.server.http.Exchange;
import io.hoard.storage.BlobContent;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /_hoard/peer/blobs/<digest>?offset=N}: the cluster's internal route. Another instance
 * whose client asked for a blob this instance is fetching streams it from here instead of from the
 * upstream. Only requests signed with {@code http.secret} ({@link PeerSignature}) are answered — any
 * other is {@code 403 DENIED}, whatever the client's credentials — and only fills in progress are
 * served (the same hold-back as for clients: the last bytes once verified).
 */
public final class PeerFillHandler {
    private final @Nullable PeerSignature signature;
    private final @Nullable BlobFetcher fetcher;

    /** Both null when this instance is not part of a cluster: the route then does not exist. */
    public PeerFillHandler(@Nullable PeerSignature signature, @Nullable BlobFetcher fetcher) {
        this.signature = signature;
        this.fetcher = fetcher;
    }

    void handle(Exchange exchange, String digestText) throws IOException {
        PeerSignature sig = signature;
        BlobFetcher fills = fetcher;
        if (sig == null || fills == null) {
            throw new RegistryException(ErrorCode.NOT_FOUND, "no cluster is configured (redis)");
        }
        String offsetText = exchange.query("offset").orElse("0");
        String pathAndQuery = exchange.path() + "?offset=" + offsetText;
        String header = exchange.header(PeerSignature.HEADER).orElse("");
        if (!sig.verify(exchange.method(), pathAndQuery, header)) {
            throw new RegistryException(ErrorCode.DENIED, "this route serves only the instances of the cluster"
                    + " (requests signed with http.secret)");
        }
        long offset;
        try {
            offset = Long.parseLong(offsetText);
        } catch (NumberFormatException e) {
            throw new RegistryException(ErrorCode.RANGE_INVALID, "offset must be a number of bytes, not '" + offsetText + "'");
        }
        Digest digest = Digest.parse(digestText);
        Optional<BlobContent> fill = fills.readForPeer(digest, offset);
        if (fill.isEmpty()) {
            throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "no fill of " + digest + " is running here");
        }
        BlobContent content = fill.get();
        long size = content.descriptor().size();
        exchange.respondBlob(200, Map.of(PeerClient.SIZE_HEADER, Long.toString(size), "Content-Type",
                "application/octet-stream", "Docker-Content-Digest", digest.toString()), content, size - offset);
    }
}
