package io.hoard.server;

import io.hoard.config.EvictionConfig;
import io.hoard.cluster.RedisTurns;
import io.hoard.config.ProxyConfig;
import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.proxy.ImageCopier;
import io.hoard.server.admin.AdminApi;
import io.hoard.storage.AccessTimes;
import io.hoard.storage.BlobUse;
import io.hoard.storage.CacheEviction;
import io.hoard.storage.DriverRegistry;
import io.hoard.storage.Pins;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache's upkeep while the registry runs: last-pull times written in batches, eviction within
 * {@code proxy.eviction} every {@code interval}, {@code proxy.prewarm} images fetched at start and
 * refreshed every {@code interval}, and the same eviction and an online garbage collection on
 * request (the admin API).
 */
final class CacheUpkeep implements AdminApi.Maintenance {
    private static final Logger LOG = LoggerFactory.getLogger(CacheUpkeep.class);
    /** How often pulls recorded in memory are written to the store. */
    static final Duration ACCESS_FLUSH = Duration.ofSeconds(5);

    private final AccessTimes accessTimes;
    private final BlobUse blobUse = new BlobUse();
    private final CacheEviction eviction;
    private final @Nullable ProxyConfig proxy;
    private final ImageCopier copier;
    /** In a cluster: one instance evicts at a time (the others would list the same store for nothing). */
    private final @Nullable RedisTurns turns;

    /** @param pullLog where a cluster shares last pulls (Redis), or {@link io.hoard.storage.PullLog#NONE} */
    CacheUpkeep(DriverRegistry registry, @Nullable ProxyConfig proxy, Pins pins, ImageCopier copier, Clock clock,
            io.hoard.storage.PullLog pullLog, @Nullable RedisTurns turns) {
        this.turns = turns;
        this.proxy = proxy;
        this.copier = copier;
        // Pulls are recorded only for eviction: without it a hit costs no storage write at all.
        this.accessTimes = proxy != null && proxy.eviction().enabled() ? AccessTimes.of(registry, clock, pullLog)
                : AccessTimes.NONE;
        this.eviction = new CacheEviction(registry, accessTimes, pins::all, blobUse, clock);
    }

    AccessTimes accessTimes() {
        return accessTimes;
    }

    BlobUse blobUse() {
        return blobUse;
    }

    /** Schedules the background work on {@code maintenance}. */
    void schedule(ScheduledExecutorService maintenance) {
        if (proxy == null) {
            return;
        }
        long flush = ACCESS_FLUSH.toMillis();
        maintenance.scheduleWithFixedDelay(() -> guarded("recording pulls", accessTimes::flush), flush, flush,
                TimeUnit.MILLISECONDS);
        EvictionConfig limits = proxy.eviction();
        long every = Math.max(1000, limits.interval().toMillis());
        if (limits.enabled()) {
            Runnable evict = () -> eviction.evict(limits(limits));
            maintenance.scheduleWithFixedDelay(() -> guarded("eviction", turns == null ? evict
                    : () -> turns.runIfFree("eviction", limits.interval().plusMinutes(10), evict)), every, every,
                    TimeUnit.MILLISECONDS);
        }
        if (!proxy.prewarm().isEmpty()) {
            maintenance.scheduleWithFixedDelay(this::prewarm, 0, every, TimeUnit.MILLISECONDS);
        }
    }

    /** Fetches (or refreshes) every {@code proxy.prewarm} image; one failing does not stop the others. */
    private void prewarm() {
        ProxyConfig proxy = this.proxy;
        if (proxy == null) {
            return;
        }
        for (String image : proxy.prewarm()) {
            try {
                int fetched = copier.warm(image);
                if (fetched > 0) {
                    LOG.info("prewarm: {} blobs of {} fetched", fetched, image);
                }
            } catch (RuntimeException e) {
                LOG.warn("prewarm of {} failed (tried again in {}): {}", image, proxy.eviction().interval(), e.getMessage());
            }
        }
    }

    /** Writes what is still in memory (at shutdown). */
    void flush() {
        guarded("recording pulls", accessTimes::flush);
    }

    @Override
    public Map<String, Object> evict() {
        if (proxy == null || !proxy.eviction().enabled()) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "no limits to evict to: set proxy.eviction.maxsize, "
                    + "minfreedisk or maxidle");
        }
        accessTimes.flush();
        return describe(eviction.evict(limits(proxy.eviction())));
    }

    @Override
    public Map<String, Object> collect(boolean dryRun) {
        accessTimes.flush();
        return describe(eviction.collect(dryRun));
    }

    private static CacheEviction.Limits limits(EvictionConfig c) {
        return new CacheEviction.Limits(c.maxSize(), c.minFreeBytes(), c.minFreePercent(), c.maxIdle());
    }

    private static Map<String, Object> describe(CacheEviction.Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("manifestsDeleted", r.manifests());
        m.put("blobsDeleted", r.blobs().stream().map(Object::toString).toList());
        m.put("bytesFreed", r.bytesFreed());
        m.put("cachedBytesBefore", r.cachedBytes());
        m.put("cachedBytesAfter", r.cachedBytesAfter());
        m.put("withinLimits", r.withinLimits());
        return m;
    }

    private static void guarded(String what, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            LOG.warn("{} failed: {}", what, e.getMessage());
        }
    }
}
