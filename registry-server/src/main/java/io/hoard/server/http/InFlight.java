package io.hoard.server.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts requests being handled, so a graceful shutdown can wait for them to finish. */
public final class InFlight {
    private final AtomicInteger count = new AtomicInteger();

    void begin() {
        count.incrementAndGet();
    }

    void end() {
        count.decrementAndGet();
    }

    public int count() {
        return count.get();
    }

    /** Waits until no request is in flight or {@code timeout} passes; true when idle. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count.get() > 0) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
