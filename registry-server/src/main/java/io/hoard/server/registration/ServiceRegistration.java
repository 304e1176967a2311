package io.hoard.server.registration;

import io.hoard.config.RegistrationConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this instance registered with every configured backend, each on a virtual thread of its
 * own: register, refresh when due, and when a backend fails (down, or it forgot the registration)
 * register again with back-off from 1 s to 30 s. The registry keeps serving meanwhile; a failure
 * is logged once, and so is the recovery. {@link #close} deregisters (bounded), for a clean shutdown.
 */
public final class ServiceRegistration implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceRegistration.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final List<Registrar> registrars;
    private final List<Thread> loops = new ArrayList<>();
    private volatile boolean closed;

    private ServiceRegistration(List<Registrar> registrars) {
        this.registrars = registrars;
    }

    /**
     * Starts registering {@code url} with the backends of {@code config}.
     *
     * @param url where clients reach this instance ({@code registration.advertise}, else what it listens on)
     */
    public static ServiceRegistration start(RegistrationConfig config, URI url, String version) {
        String id = "hoard-" + url.getHost().replaceAll("[^A-Za-z0-9.-]", "-") + "-"
                + (url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80);
        ServiceRecord record = new ServiceRecord(id, url, version, "https".equals(url.getScheme()));
        List<Registrar> registrars = new ArrayList<>();
        config.etcd().ifPresent(e -> registrars.add(new EtcdRegistrar(e, record)));
        config.consul().ifPresent(c -> registrars.add(new ConsulRegistrar(c, record)));
        ServiceRegistration registration = new ServiceRegistration(registrars);
        for (Registrar r : registrars) {
            registration.loops.add(Thread.ofVirtual().name("hoard-registration").start(() -> registration.keep(r)));
        }
        LOG.info("registering {} as {} with {}", url, id, registrars.stream().map(Registrar::describe).toList());
        return registration;
    }

    private void keep(Registrar r) {
        Duration backoff = Duration.ofSeconds(1);
        boolean registered = false;
        boolean failing = false;
        while (!closed) {
            try {
                if (!registered) {
                    r.register();
                    registered = true;
                    if (failing) {
                        LOG.info("registered with {} again", r.describe());
                    }
                    failing = false;
                    backoff = Duration.ofSeconds(1);
                } else {
                    r.refresh();
                }
                Thread.sleep(r.refreshEvery());
            } catch (InterruptedException e) {
                return;
            } catch (java.io.IOException | RuntimeException e) {
                registered = false;
                if (!failing) {
                    LOG.warn("registration with {} failed (retrying with back-off; the registry keeps serving): {}",
                            r.describe(), e.getMessage());
                    failing = true;
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** Stops the loops and deregisters from every backend (each bounded by its client's timeout). */
    @Override
    public void close() {
        closed = true;
        loops.forEach(Thread::interrupt);
        for (Thread t : loops) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Registrar r : registrars) {
            try {
                r.deregister();
            } catch (java.io.IOException | RuntimeException e) {
                LOG.warn("deregistering from {} failed: {}", r.describe(), e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
