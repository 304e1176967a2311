/**
 * The composition root: command line, wiring of configuration, storage and HTTP, server lifecycle.
 *
 * <p>Starting points: {@link io.hoard.server.Main} (the CLI), {@link io.hoard.server.RegistryApp}
 * (the only place that wires things together), {@link io.hoard.server.RegistryServer} (Netty
 * bootstrap and graceful shutdown), {@link io.hoard.server.RegistryChannelInitializer} (the pipeline).
 */
@NullMarked
package io.hoard.server;

import org.jspecify.annotations.NullMarked;
