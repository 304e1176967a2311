package io.hoard.storage;

import static io.hoard.storage.PathSpec.pathFor;

import io.hoard.model.Digest;
import io.hoard.model.RepositoryName;
import io.hoard.storage.driver.StorageDriver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each manifest was last pulled, for eviction's least-recently-used order, in one small
 * marker per manifest ({@code _hoard/access/<alg>/<hex>} in the repository) whose modification time
 * every instance on the store reads when it lists the repository. The first pull of a manifest
 * after a quiet spell writes its marker at once (on its own virtual thread), so that another
 * instance evicting right now sees the pull; later pulls only update memory, and {@link #flush}
 * (every few seconds) writes those. So a hot manifest costs one write per flush interval, not one
 * per pull.
 */
public final class AccessTimes {
    private static final Logger LOG = LoggerFactory.getLogger(AccessTimes.class);
    /** Remembered recent pulls beyond this many are dropped (their markers are written already). */
    private static final int MAX_RECENT = 100_000;
    /** A pull after this long without one is written at once, not at the next flush. */
    private static final java.time.Duration QUIET = java.time.Duration.ofSeconds(5);

    /** A pulled manifest. */
    public record Key(RepositoryName repository, Digest digest) {
    }

    /** For a registry without a cache: nothing is recorded. */
    public static final AccessTimes NONE = new AccessTimes(null, Clock.systemUTC(), PullLog.NONE);

    private final @org.jspecify.annotations.Nullable StorageDriver driver;
    private final Clock clock;
    private final ConcurrentHashMap<Key, Instant> pending = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Instant> recent = new ConcurrentHashMap<>();

    /** Pulls of {@code registry}'s manifests, recorded in its store. */
    public static AccessTimes of(DriverRegistry registry, Clock clock) {
        return new AccessTimes(registry.driver(), clock, PullLog.NONE);
    }

    /** Pulls recorded in {@code log} (Redis), or in the store while the log cannot be reached. */
    public static AccessTimes of(DriverRegistry registry, Clock clock, PullLog log) {
        return new AccessTimes(registry.driver(), clock, log);
    }

    private final PullLog log;

    AccessTimes(@org.jspecify.annotations.Nullable StorageDriver driver, Clock clock, PullLog log) {
        this.driver = driver;
        this.clock = clock;
        this.log = log;
    }

    /** The pulls the shared log knows (every instance's), for one eviction run. */
    Map<Key, Instant> shared() {
        return driver == null ? Map.of() : log.all();
    }

    /** Forgets an evicted manifest's pulls: its marker and its entry in the shared log. */
    void forget(RepositoryName repository, Digest digest) {
        Key key = new Key(repository, digest);
        recent.remove(key);
        pending.remove(key);
        log.forget(key);
        if (driver != null) {
            StorageIo.deleteIfExists(driver, pathFor(new PathSpec.AccessMarker(repository, digest)));
        }
    }

    /** A pull of {@code digest} from {@code repository}: memory only, callable on an event loop. */
    public void touch(RepositoryName repository, Digest digest) {
        if (driver == null) {
            return;
        }
        Instant now = clock.instant();
        Key key = new Key(repository, digest);
        if (recent.size() >= MAX_RECENT) {
            recent.clear();
        }
        Instant before = recent.put(key, now);
        if (before == null || before.isBefore(now.minus(QUIET))) {
            Thread.ofVirtual().name("hoard-access").start(() -> write(key, now));
        } else {
            pending.put(key, now);
        }
    }

    private boolean write(Key key, Instant when) {
        StorageDriver d = driver;
        if (d == null || log.record(key, when)) {
            return true;
        }
        try {
            d.putContent(pathFor(new PathSpec.AccessMarker(key.repository(), key.digest())),
                    Long.toString(when.toEpochMilli()).getBytes(StandardCharsets.US_ASCII));
            return true;
        } catch (java.io.IOException | RuntimeException failure) {
            pending.merge(key, when, (a, b) -> a.isAfter(b) ? a : b); // the next flush tries again
            LOG.warn("recording the last pull of {}@{} failed (retried at the next flush): {}", key.repository(),
                    key.digest(), failure.getMessage());
            return false;
        }
    }

    /** The last pull this process has seen (written to the store or not). */
    Optional<Instant> recent(RepositoryName repository, Digest digest) {
        return Optional.ofNullable(recent.get(new Key(repository, digest)));
    }

    /** Writes the markers of the manifests pulled since the last flush; failures are retried at the next. */
    public void flush() {
        if (driver == null || pending.isEmpty()) {
            return;
        }
        for (Map.Entry<Key, Instant> e : Map.copyOf(pending).entrySet()) {
            pending.remove(e.getKey(), e.getValue());
            if (!write(e.getKey(), e.getValue())) {
                return;
            }
        }
    }
}
