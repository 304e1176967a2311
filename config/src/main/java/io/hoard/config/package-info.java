/**
 * config.yml (distribution's format plus Hoard's keys) to immutable records.
 *
 * <p>Starting points: {@link io.hoard.config.ConfigLoader} (file + environment to
 * {@link io.hoard.config.RegistryConfig}), {@link io.hoard.config.Section} (the strict binder that
 * rejects unknown keys with their line), {@link io.hoard.config.Durations} (Go-style durations).
 */
@NullMarked
package io.hoard.config;

import org.jspecify.annotations.NullMarked;
