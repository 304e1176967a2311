/**
 * Health: {@link io.hoard.server.health.HealthMonitor} runs distribution's checks (storage driver,
 * file, http, tcp) in the background and says which fail; {@link io.hoard.server.health.Probes}
 * makes them from the configuration.
 */
@NullMarked
package io.hoard.server.health;

import org.jspecify.annotations.NullMarked;
