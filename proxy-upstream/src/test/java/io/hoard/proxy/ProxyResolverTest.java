package io.hoard.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hoard.config.ProxyConfig;
import io.hoard.model.RegistryException;
import io.hoard.storage.Access;
import io.hoard.storage.DriverRegistry;
import io.hoard.storage.driver.base.ValidatingStorageDriver;
import io.hoard.storage.driver.inmemory.InMemoryDriver;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routing under {@code proxy.on}: what clients may name, and that naming costs Hoard little. */
final class ProxyResolverTest {
    @TempDir
    Path spool;

    private ProxyResolver resolver(List<String> allowedHosts) {
        ProxyConfig config = new ProxyConfig(List.of(), true, Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofSeconds(1),
                List.of(), allowedHosts, Duration.ofMinutes(1), Duration.ofHours(1), 1L << 30, true);
        DriverRegistry storage = new DriverRegistry(new ValidatingStorageDriver(new InMemoryDriver()));
        ProxyMetrics metrics = new ProxyMetrics();
        return new ProxyResolver(new ProxyRouter(config, ProxyRouter.RepositoryState.of(storage)),
                new Upstreams(config, Clock.systemUTC()), new ProxyRepositories(storage,
                        new BlobFetcher(storage, spool, config.timeout(), config.maxBlobSize(), metrics), metrics,
                        Clock.systemUTC(), config.timeout(), config.maxBlobSize()), storage);
    }

    @Test
    void madeUpHostsNeitherLockOutOthersNorCostAThreadEach() {
        ProxyResolver resolver = resolver(List.of());
        int threads = ManagementFactory.getThreadMXBean().getThreadCount();
        for (int i = 0; i < 1000; i++) {
            resolver.resolve("team/app", new Access(false, "made-up-" + i + ".example.com", null));
        }
        assertThat(ManagementFactory.getThreadMXBean().getThreadCount() - threads).isLessThan(5);
        assertThat(resolver.resolve("team/app", new Access(false, "ghcr.io", null)).name().value())
                .isEqualTo("ghcr.io/team/app");
    }

    @Test
    void allowedHostsPatterns() {
        ProxyResolver resolver = resolver(List.of("*.example.com", "ghcr.io", "registry.internal:5000", "10.1.2.3:5000"));
        for (String ok : List.of("a.example.com", "a.example.com:8443", "ghcr.io", "ghcr.io:443", "registry.internal:5000",
                "10.1.2.3:5000")) {
            assertThat(resolver.resolve("team/app", new Access(false, ok, null))).as(ok).isNotNull();
        }
        for (String refused : List.of("example.com", "a.b.example.com", "evilexample.com", "registry.internal",
                "registry.internal:5001", "quay.io", "10.1.2.3:5001", "127.0.0.1:5000")) {
            assertThatThrownBy(() -> resolver.resolve("team/app", new Access(false, refused, null))).as(refused)
                    .isInstanceOf(RegistryException.class).hasMessageContaining("proxy.allowedhosts");
        }
    }

    @Test
    void cachesOfClientNamedUpstreamsAreNotListed() {
        ProxyResolver resolver = resolver(List.of());
        assertThat(resolver.listed("team/app")).isTrue();
        assertThat(resolver.listed("library/nginx")).isTrue();
        assertThat(resolver.listed("app")).isTrue();
        assertThat(resolver.listed("ghcr.io/team/app")).isFalse();
        assertThat(resolver.listed("127.0.0.1-5000/private/app")).isFalse();
        assertThat(resolver.listed("localhost-5000/private/app")).isFalse();
    }

    @Test
    void nonPublicLiteralsAreRefusedWithoutAnAllowList() {
        ProxyResolver resolver = resolver(List.of());
        for (String literal : List.of("127.0.0.1:5000", "localhost", "[::1]:5000", "169.254.169.254", "10.0.0.1",
                "192.168.1.1:80", "172.16.0.1", "[fd00::1]", "[::ffff:127.0.0.1]", "0.0.0.0", "100.64.0.1")) {
            assertThatThrownBy(() -> resolver.resolve("team/app", new Access(false, literal, null))).as(literal)
                    .isInstanceOf(RegistryException.class).hasMessageContaining("proxy.allowedhosts");
        }
    }
}
