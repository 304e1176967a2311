package io.hoard.proxy;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the cache's behaviour, for the metrics endpoint and for tests. */
public final class ProxyMetrics {
    final LongAdder blobHits = new LongAdder();
    final LongAdder blobMisses = new LongAdder();
    final LongAdder manifestHits = new LongAdder();
    final LongAdder manifestMisses = new LongAdder();
    final LongAdder coalesced = new LongAdder();
    final LongAdder staleServes = new LongAdder();
    final LongAdder revalidations = new LongAdder();
    final LongAdder fillFailures = new LongAdder();
    final LongAdder prefetches = new LongAdder();

    /** Blob requests answered from storage. */
    public long blobHits() {
        return blobHits.sum();
    }

    /** Blob requests that started a fill from upstream. */
    public long blobMisses() {
        return blobMisses.sum();
    }

    public long manifestHits() {
        return manifestHits.sum();
    }

    public long manifestMisses() {
        return manifestMisses.sum();
    }

    /** Blob requests that joined a fill already under way instead of starting one. */
    public long coalesced() {
        return coalesced.sum();
    }

    /** Tags served from cache because the upstream could not be asked. */
    public long staleServes() {
        return staleServes.sum();
    }

    /** Tags whose TTL had run out and were checked upstream with HEAD. */
    public long revalidations() {
        return revalidations.sum();
    }

    /** Fills started ahead of any client, for the blobs of an image manifest just fetched ({@code proxy.prefetch}). */
    public long prefetches() {
        return prefetches.sum();
    }

    /** Fills that failed (upstream broke off, wrong digest, ...). */
    public long fillFailures() {
        return fillFailures.sum();
    }
}
