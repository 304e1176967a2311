package io.hoard.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class SingleFlightTest {

    @Test
    void concurrentCallersShareOneComputation() throws Exception {
        SingleFlight<String, Integer> inflight = new SingleFlight<>();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> inflight.run("k", () -> {
                    runs.incrementAndGet();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return 42;
                })));
            }
            Thread.sleep(200);
            release.countDown();
            for (Future<Integer> f : results) {
                assertThat(f.get()).isEqualTo(42);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(runs.get()).isEqualTo(1);
        assertThat(inflight.run("k", () -> 7)).as("a later call computes afresh").isEqualTo(7);
    }

    @Test
    void failuresReachEveryWaiterAndAreNotCached() {
        SingleFlight<String, Integer> inflight = new SingleFlight<>();
        assertThatThrownBy(() -> inflight.run("k", () -> {
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(inflight.run("k", () -> 1)).isEqualTo(1);
    }
}
