package io.hoard.server.health;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs health checks in the background, each on its own interval and on a virtual thread (a check
 * may wait on the network), and keeps what each last said. A check is failing after
 * {@code threshold} failures in a row and healthy again after its next success. Gating checks
 * make the registry answer 503 while they fail (distribution's behaviour); all of them show in
 * {@code /healthz} and {@code /debug/health}. State changes are logged once each.
 */
public final class HealthMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);

    /** One check: throws (with a message saying what is wrong) when unhealthy. */
    @FunctionalInterface
    public interface Check {
        void run() throws Exception;
    }

    private static final class Probe {
        final String name;
        final boolean gating;
        final Duration interval;
        final int threshold;
        final Check check;
        final AtomicBoolean running = new AtomicBoolean();
        volatile int failures;
        volatile @Nullable String error;

        Probe(String name, boolean gating, Duration interval, int threshold, Check check) {
            this.name = name;
            this.gating = gating;
            this.interval = interval;
            this.threshold = threshold;
            this.check = check;
        }

        boolean failing() {
            return failures >= threshold;
        }
    }

    private final List<Probe> probes = new CopyOnWriteArrayList<>();

    /**
     * Adds a check.
     *
     * @param gating whether the registry answers 503 while it fails
     */
    public void add(String name, boolean gating, Duration interval, int threshold, Check check) {
        probes.add(new Probe(name, gating, interval, Math.max(1, threshold), check));
    }

    /** Runs every check once now (so that the state is known at start), then on its interval. */
    public void start(ScheduledExecutorService scheduler) {
        for (Probe p : probes) {
            runOnce(p);
            long every = Math.max(100, p.interval.toMillis());
            scheduler.scheduleWithFixedDelay(() -> Thread.ofVirtual().name("hoard-health").start(() -> runOnce(p)), every,
                    every, TimeUnit.MILLISECONDS);
        }
    }

    private void runOnce(Probe p) {
        if (!p.running.compareAndSet(false, true)) {
            return; // the previous run still waits
        }
        try {
            p.check.run();
            if (p.failing()) {
                LOG.info("health check {} passes again", p.name);
            }
            p.failures = 0;
            p.error = null;
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            boolean was = p.failing();
            p.error = message;
            p.failures = Math.min(p.failures + 1, Integer.MAX_VALUE - 1);
            if (p.failing() && !was) {
                LOG.warn("health check {} fails{}: {}", p.name, p.gating ? " (the registry answers 503 until it passes)" : "",
                        message);
            }
        } finally {
            p.running.set(false);
        }
    }

    /** Every check's name. */
    public List<String> names() {
        return probes.stream().map(p -> p.name).toList();
    }

    /** Whether the named check is failing now. */
    public boolean isFailing(String name) {
        return probes.stream().anyMatch(p -> p.name.equals(name) && p.failing());
    }

    /** The failing checks, by name, with what each said. */
    public Map<String, String> failing() {
        Map<String, String> failing = new LinkedHashMap<>();
        for (Probe p : probes) {
            String error = p.error;
            if (p.failing() && error != null) {
                failing.put(p.name, error);
            }
        }
        return failing;
    }

    /** Why the registry must answer 503 now, or null when no gating check fails. */
    public @Nullable String gatingFailure() {
        for (Probe p : probes) {
            String error = p.error;
            if (p.gating && p.failing() && error != null) {
                return p.name + ": " + error;
            }
        }
        return null;
    }
}
