package io.hoard.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

final class UpstreamPartsTest {

    @Test
    void parsesBearerAndBasicChallenges() {
        Challenge bearer = Challenge.parse(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/nginx:pull\"")
                .orElseThrow();
        assertThat(bearer.isBearer()).isTrue();
        assertThat(bearer.realm()).isEqualTo("https://auth.docker.io/token");
        assertThat(bearer.parameters()).containsEntry("service", "registry.docker.io")
                .containsEntry("scope", "repository:library/nginx:pull");
        Challenge basic = Challenge.parse("Basic realm=\"test-realm\"").orElseThrow();
        assertThat(basic.isBasic()).isTrue();
        assertThat(Challenge.parse("")).isEmpty();
        assertThat(Challenge.parse("bearer realm=x,error=invalid_token").orElseThrow().parameters())
                .containsEntry("realm", "x").containsEntry("error", "invalid_token");
    }

    @Test
    void credentialsNeverShowThePassword() {
        Credentials c = new Credentials("bob", "s3cret");
        assertThat(c.toString()).doesNotContain("s3cret");
        assertThat(c.cacheKey()).doesNotContain("s3cret").isNotEqualTo(new Credentials("bob", "other").cacheKey());
        assertThat(Credentials.fromBasicHeader(c.basicHeader())).isEqualTo(c);
        assertThat(Credentials.fromBasicHeader("Bearer abc").isAnonymous()).isTrue();
        assertThat(Credentials.fromBasicHeader("Basic !!!not-base64").isAnonymous()).isTrue();
        assertThat(Credentials.of(java.util.Optional.of(""), java.util.Optional.empty()).isAnonymous()).isTrue();
    }

    @Test
    void circuitBreakerOpensAfterRepeatedFailuresAndProbesAfterCooldown() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(30), clock);
        for (int i = 0; i < 3; i++) {
            assertThat(breaker.allow()).isTrue();
            breaker.failure();
        }
        assertThat(breaker.allow()).isFalse();
        now.set(now.get().plusSeconds(31));
        assertThat(breaker.allow()).as("one probe").isTrue();
        assertThat(breaker.allow()).as("others wait for the probe").isFalse();
        breaker.success();
        assertThat(breaker.allow()).isTrue();
        assertThat(breaker.isOpen()).isFalse();
    }
}
