package io.hoard.proxy;

import io.hoard.model.Descriptor;
import io.hoard.storage.CacheStorage;
import io.hoard.storage.Manifest;
import io.hoard.storage.ManifestParser;
import java.util.List;

/**
 * Pull-ahead ({@code proxy.prefetch}): an image manifest fetched from upstream means its config and
 * layers are about to be asked for, and clients ask one or a few at a time (skopeo one by one,
 * docker three at once), processing each before the next. The missing blobs are filled in the
 * manifest's order, {@link #IN_FLIGHT} at a time, from the moment the manifest arrives: the upstream
 * link stays busy while the client works, and the blob a client wants first is not slowed by all
 * the others at once. Clients' GETs join the fills under way ({@link BlobFetcher}) and stream from
 * them; each byte still comes from upstream once. Only for configured upstreams: under
 * {@code proxy.on} the client's credentials are used for what the client asks, nothing more.
 */
final class BlobPrefetch {
    /** More layers than this in one manifest are left to the client's requests. */
    private static final int MAX_BLOBS = 128;
    /** Fills of one manifest's blobs under way at once. */
    static final int IN_FLIGHT = 1;
    /** How long one fill may hold up the next ones (a stalled fill fails by itself sooner). */
    private static final java.time.Duration WAIT = java.time.Duration.ofMinutes(10);

    private final CacheStorage storage;
    private final BlobFetcher fetcher;
    private final long maxBlobSize;

    BlobPrefetch(CacheStorage storage, BlobFetcher fetcher, long maxBlobSize) {
        this.storage = storage;
        this.fetcher = fetcher;
        this.maxBlobSize = maxBlobSize;
    }

    /** Starts the fills of the blobs {@code manifest} (just fetched for {@code target}) references and the cache lacks. */
    void after(Manifest manifest, ProxyTarget target) {
        if (target.gate() != null) {
            return;
        }
        List<Descriptor> blobs = ManifestParser.referencedBlobs(manifest);
        if (blobs.isEmpty() || blobs.size() > MAX_BLOBS) {
            return;
        }
        Thread.ofVirtual().name("hoard-prefetch").start(() -> fill(blobs, target));
    }

    private void fill(List<Descriptor> blobs, ProxyTarget target) {
        java.util.ArrayDeque<BlobFill> inFlight = new java.util.ArrayDeque<>();
        try {
            for (Descriptor blob : blobs) {
                if (blob.size() > maxBlobSize || storage.statContent(blob.digest()).isPresent()) {
                    continue;
                }
                inFlight.add(fetcher.prefetch(blob.digest(), target));
                if (inFlight.size() >= IN_FLIGHT) {
                    inFlight.poll().awaitEnd(WAIT);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // fetching ahead is best effort: clients' own requests fetch what is missing
        }
    }
}
