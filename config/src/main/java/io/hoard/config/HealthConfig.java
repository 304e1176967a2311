package io.hoard.config;

import java.time.Duration;

/** {@code health.storagedriver}: periodic storage checks; unhealthy after {@code threshold} failures. */
public record HealthConfig(boolean storageDriverEnabled, Duration storageDriverInterval, int storageDriverThreshold) {
}
