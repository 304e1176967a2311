package io.hoard.upstream;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one upstream has done, for metrics: requests, errors, bytes received, 429s, and the last
 * {@code ratelimit-limit} / {@code ratelimit-remaining} Docker Hub reported (-1 when never seen).
 */
public final class UpstreamStats {
    final LongAdder requests = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder tooManyRequests = new LongAdder();
    final AtomicLong rateLimitLimit = new AtomicLong(-1);
    final AtomicLong rateLimitRemaining = new AtomicLong(-1);
    final LongAdder tokensFetched = new LongAdder();
    private final java.util.Map<String, Calls> calls = new java.util.concurrent.ConcurrentHashMap<>();

    /** The kinds of call {@link #calls} reports: one per V2 request the client makes. */
    public static final java.util.List<String> CALL_KINDS = java.util.List.of("manifest_head", "manifest_get",
            "blob_head", "blob_get", "tag_list_page", "referrers_get", "repository_check");

    /** Calls of one kind: how many, how long until the answer's head, how many failed. */
    public static final class Calls {
        private final LongAdder count = new LongAdder();
        private final LongAdder nanos = new LongAdder();
        private final LongAdder errors = new LongAdder();

        public long count() {
            return count.sum();
        }

        public double totalNanos() {
            return nanos.sum();
        }

        public long errors() {
            return errors.sum();
        }
    }

    /** The calls of {@code kind} (one of {@link #CALL_KINDS}). */
    public Calls calls(String kind) {
        return calls.computeIfAbsent(kind, k -> new Calls());
    }

    void recordCall(String kind, long nanos, boolean failed) {
        Calls c = calls(kind);
        c.count.increment();
        c.nanos.add(nanos);
        if (failed) {
            c.errors.increment();
        }
    }

    /** Tokens fetched from the upstream's token service. */
    public long tokensFetched() {
        return tokensFetched.sum();
    }

    public long requests() {
        return requests.sum();
    }

    public long errors() {
        return errors.sum();
    }

    /** Blob and manifest bytes received from the upstream. */
    public long bytes() {
        return bytes.sum();
    }

    public long tooManyRequests() {
        return tooManyRequests.sum();
    }

    public long rateLimitLimit() {
        return rateLimitLimit.get();
    }

    public long rateLimitRemaining() {
        return rateLimitRemaining.get();
    }

    /** Counts bytes received outside the client (blob bodies read by the cache fill). */
    public void addBytes(long n) {
        bytes.add(n);
    }
}
