/**
 * Operations: {@link io.hoard.server.metrics.RegistryMetrics} (Micrometer meters in Prometheus's
 * names) and {@link io.hoard.server.metrics.DebugServer}, the {@code http.debug.addr} listener that
 * serves them and {@code /debug/health}. docs/metrics.md lists every meter.
 */
@NullMarked
package io.hoard.server.metrics;

import org.jspecify.annotations.NullMarked;
