package io.hoard.storage;

import java.time.Instant;
import java.util.Map;

/**
 * Where the instances of a cluster share when each manifest was last pulled, instead of markers in
 * the store (Redis, when configured): cheaper to write than an object, and read in one call.
 */
public interface PullLog {
    /** Records a pull, keeping the later time; false when the log cannot be reached now (the store is used). */
    boolean record(AccessTimes.Key key, Instant when);

    /** Every recorded pull; empty when the log cannot be reached. */
    Map<AccessTimes.Key, Instant> all();

    /** Forgets an evicted manifest. */
    void forget(AccessTimes.Key key);

    /** No shared log: pulls are recorded as markers in the store. */
    PullLog NONE = new PullLog() {
        @Override
        public boolean record(AccessTimes.Key key, Instant when) {
            return false;
        }

        @Override
        public Map<AccessTimes.Key, Instant> all() {
            return Map.of();
        }

        @Override
        public void forget(AccessTimes.Key key) {
        }
    };
}
