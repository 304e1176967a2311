package io.hoard.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code health}: distribution's checks. The storage probe always runs (it feeds {@code /healthz});
 * {@code storagedriver.enabled} also makes the registry answer 503 while it fails, as the file,
 * http and tcp checks always do.
 *
 * @param storageDriverEnabled {@code health.storagedriver.enabled}
 */
public record HealthConfig(boolean storageDriverEnabled, Duration storageDriverInterval, int storageDriverThreshold,
        List<FileCheck> files, List<HttpCheck> https, List<TcpCheck> tcps) {

    public HealthConfig(boolean storageDriverEnabled, Duration storageDriverInterval, int storageDriverThreshold) {
        this(storageDriverEnabled, storageDriverInterval, storageDriverThreshold, List.of(), List.of(), List.of());
    }

    /** {@code health.file[]}: unhealthy while the file exists (an operator's maintenance switch). */
    public record FileCheck(String file, Duration interval) {
    }

    /** {@code health.http[]}: unhealthy after {@code threshold} answers other than {@code statusCode} (or none). */
    public record HttpCheck(String uri, Map<String, List<String>> headers, int statusCode, Duration timeout,
            Duration interval, int threshold) {
    }

    /** {@code health.tcp[]}: unhealthy after {@code threshold} failed connections. */
    public record TcpCheck(String addr, Duration timeout, Duration interval, int threshold) {
    }
}
