package io.hoard.config;

import java.time.Duration;

/**
 * {@code proxy.eviction} (Hoard): the cache's budget, enforced in the background. Pushed and pinned
 * content never counts against it and is never evicted.
 *
 * @param maxSize cached content above this many bytes is evicted (0: no limit)
 * @param minFreeBytes evict while the storage volume has less free space than this (0: no limit)
 * @param minFreePercent evict while the storage volume has less than this percentage free (0: no limit)
 * @param maxIdle evict what nobody pulled for this long (zero: never for idleness alone)
 * @param interval how often the limits are checked
 */
public record EvictionConfig(long maxSize, long minFreeBytes, int minFreePercent, Duration maxIdle, Duration interval) {
    public static final EvictionConfig NONE = new EvictionConfig(0, 0, 0, Duration.ZERO, Duration.ofMinutes(10));

    /** Whether any limit is set. */
    public boolean enabled() {
        return maxSize > 0 || minFreeBytes > 0 || minFreePercent > 0 || !maxIdle.isZero();
    }
}
