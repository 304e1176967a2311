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
