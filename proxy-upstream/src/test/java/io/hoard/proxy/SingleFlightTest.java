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

final class InflightTest {

    @Test
    void concurrentCallersShareOneComputation() throws Exception {
        Inflight<String, Integer> inflight = new Inflight<>();
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
        Inflight<String, Integer> inflight = new Inflight<>();
        assertThatThrownBy(() -> inflight.run("k", () -> {
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(inflight.run("k", () -> 1)).isEqualTo(1);
    }

    @Test
    void hostDirectoriesAreValidRepositoryComponents() {
        assertThat(ProxyResolver.hostDirectory("127.0.0.1:5000")).isEqualTo("127.0.0.1-5000");
        assertThat(ProxyResolver.hostDirectory("Reg.Test1.com")).isEqualTo("reg.test1.com");
        assertThat(ProxyResolver.hostDirectory("[::1]:5000")).isEqualTo("1-5000");
    }
}
