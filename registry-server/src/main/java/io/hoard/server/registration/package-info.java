/**
 * Service registration: {@link io.hoard.server.registration.ServiceRegistration} keeps this
 * instance registered with every configured backend — {@link io.hoard.server.registration.EtcdRegistrar}
 * (a key on a lease) and {@link io.hoard.server.registration.ConsulRegistrar} (an agent service with
 * an HTTP check) — retrying with back-off while one is down, and deregisters on shutdown.
 */
@NullMarked
package io.hoard.server.registration;

import org.jspecify.annotations.NullMarked;
