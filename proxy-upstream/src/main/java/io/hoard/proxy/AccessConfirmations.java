package io.hoard.proxy;

import io.hoard.upstream.Credentials;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which clients an upstream named by clients ({@code proxy.on}) has accepted for which repository,
 * and when: content cached from such an upstream is served to a client only while this says so.
 * Keyed by upstream, repository and {@link Credentials#cacheKey()} (a keyed hash, never the secret),
 * bounded in size.
 */
final class AccessConfirmations {
    /** What is known of a client's access to a repository. */
    enum State {
        /** Confirmed within {@code proxy.accessttl} (and within its token's lifetime): serve without asking. */
        FRESH,
        /** Confirmed within {@code proxy.accessgrace}: serve cached content only when the upstream cannot be asked. */
        GRACE,
        /** Never confirmed, or too long ago, or refused since. */
        NONE
    }

    private static final int MAX_ENTRIES = 10_000;

    private record Confirmation(Instant confirmed, Instant freshUntil) {
    }

    private final Clock clock;
    private final Duration ttl;
    private final Duration grace;
    private final Map<String, Confirmation> entries = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Confirmation> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    AccessConfirmations(Clock clock, Duration ttl, Duration grace) {
        this.clock = clock;
        this.ttl = ttl;
        this.grace = grace;
    }

    /** The key for one client of one upstream repository. */
    String key(String upstream, String repository, Credentials credentials) {
        return upstream + " " + repository + " " + credentials.cacheKey();
    }

    synchronized State state(String key) {
        Confirmation e = entries.get(key);
        if (e == null) {
            return State.NONE;
        }
        Instant now = clock.instant();
        if (now.isBefore(e.freshUntil())) {
            return State.FRESH;
        }
        return now.isBefore(e.confirmed().plus(grace)) ? State.GRACE : State.NONE;
    }

    /** The upstream accepted the client now; trusted for the TTL, never past {@code credentialsExpire}. */
    synchronized void confirmed(String key, Optional<Instant> credentialsExpire) {
        Instant now = clock.instant();
        Instant fresh = now.plus(ttl);
        if (credentialsExpire.isPresent() && credentialsExpire.get().isBefore(fresh)) {
            fresh = credentialsExpire.get();
        }
        entries.put(key, new Confirmation(now, fresh));
    }

    /** The upstream refused the client: nothing cached is served to it until it is accepted again. */
    synchronized void refused(String key) {
        entries.remove(key);
    }
}
