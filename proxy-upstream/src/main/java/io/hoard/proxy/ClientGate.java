package io.hoard.proxy;

import io.hoard.model.RegistryException;
import io.hoard.upstream.UpstreamException;
import io.hoard.upstream.UpstreamRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For a repository of an upstream named by clients ({@code proxy.on}), reached with one client's
 * credentials: whether that client may be given what the cache holds (DESIGN.md "Routing", 4).
 * An upstream 401/403 is the upstream's answer and is passed on; only an upstream that cannot be
 * asked lets a client recently accepted have cached content.
 */
final class ClientGate {
    private static final Logger LOG = LoggerFactory.getLogger(ClientGate.class);

    /** One question to the upstream: true when it has the thing, false for a 404. */
    @FunctionalInterface
    interface Probe {
        boolean ask();
    }

    private final AccessConfirmations confirmations;
    private final String key;

    ClientGate(AccessConfirmations confirmations, String key) {
        this.confirmations = confirmations;
        this.key = key;
    }

    /** A key that separates this client's single-flight work from other clients'. */
    String key() {
        return key;
    }

    /** Confirmed recently enough to serve from the cache without asking. */
    boolean fresh() {
        return confirmations.state(key) == AccessConfirmations.State.FRESH;
    }

    /**
     * May the client have cached content that {@code probe} looks up upstream? Asks only when the
     * client's access is not fresh.
     *
     * @throws RegistryException {@code UNAUTHORIZED} when the upstream refuses the client, the
     *         mapped upstream failure when it cannot be asked and the client was not accepted recently
     */
    boolean allows(ProxyTarget target, Probe probe, String what) {
        if (fresh()) {
            return true;
        }
        try {
            boolean has = probe.ask();
            confirmed(target.upstream(), target.remoteName());
            return has;
        } catch (UpstreamException e) {
            if (!outage(e)) {
                throw UpstreamErrors.toClient(e, what, target);
            }
            LOG.info("serving cached {} to a client {} accepted recently: it cannot be asked now ({})", what,
                    target.upstream().name(), e.getMessage());
            return true;
        }
    }

    /** The upstream just answered this client with content or a 404: it accepts the client. */
    void confirmed(UpstreamRegistry upstream, String remoteName) {
        confirmations.confirmed(key, upstream.accessExpires(remoteName));
    }

    /** Accepted within {@code proxy.accessgrace}: may have cached content while the upstream cannot be asked. */
    boolean recentlyAccepted() {
        return confirmations.state(key) != AccessConfirmations.State.NONE;
    }

    /**
     * True when {@code e} leaves cached content to a client accepted recently; false (and the
     * client's confirmation forgotten on a refusal) when the client must get the error.
     */
    boolean outage(UpstreamException e) {
        if (e.kind() == UpstreamException.Kind.UNAUTHORIZED || e.kind() == UpstreamException.Kind.REFUSED_ADDRESS) {
            confirmations.refused(key);
            return false;
        }
        return recentlyAccepted();
    }
}
