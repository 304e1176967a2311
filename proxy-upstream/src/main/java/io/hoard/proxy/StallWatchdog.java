package io.hoard.proxy;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Interrupts a thread whose reads make no progress for a while: the JDK HTTP client has no read
 * timeout for bodies, so a download from an upstream that stops sending would otherwise wait for
 * ever. Progress is whatever {@code progress} counts (bytes received); closing the watchdog stops it.
 */
final class StallWatchdog implements AutoCloseable {
    private final Thread thread;

    private StallWatchdog(Thread thread) {
        this.thread = thread;
    }

    /** Watches {@code reader}; interrupts it once {@code progress} stays the same for {@code stall}. */
    static StallWatchdog start(Thread reader, Duration stall, LongSupplier progress) {
        Thread t = Thread.ofVirtual().name("hoard-fill-watchdog").start(() -> {
            long last = progress.getAsLong();
            long lastChange = System.nanoTime();
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(Math.min(1000, Math.max(50, stall.toMillis() / 4)));
                } catch (InterruptedException e) {
                    return;
                }
                long now = progress.getAsLong();
                if (now != last) {
                    last = now;
                    lastChange = System.nanoTime();
                } else if (System.nanoTime() - lastChange > stall.toNanos()) {
                    reader.interrupt();
                    return;
                }
            }
        });
        return new StallWatchdog(t);
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
