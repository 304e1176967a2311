package io.hoard.upstream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Stops calling an upstream that keeps failing: after {@code threshold} consecutive outages it
 * opens for {@code cooldown}, during which calls fail at once (and the proxy serves from cache);
 * then one call is let through to probe, and a success closes it again.
 */
final class CircuitBreaker {
    private final int threshold;
    private final Duration cooldown;
    private final Clock clock;
    private int failures;
    private Instant openUntil = Instant.MIN;

    CircuitBreaker(int threshold, Duration cooldown, Clock clock) {
        this.threshold = threshold;
        this.cooldown = cooldown;
        this.clock = clock;
    }

    /** True when a call may go to the upstream now. */
    synchronized boolean allow() {
        Instant now = clock.instant();
        if (now.isBefore(openUntil)) {
            return false;
        }
        if (failures >= threshold) {
            // Half-open: let this call probe, keep others out until it reports.
            openUntil = now.plus(cooldown);
        }
        return true;
    }

    synchronized void success() {
        failures = 0;
        openUntil = Instant.MIN;
    }

    synchronized void failure() {
        failures++;
        if (failures >= threshold) {
            openUntil = clock.instant().plus(cooldown);
        }
    }

    synchronized boolean isOpen() {
        return clock.instant().isBefore(openUntil);
    }
}
