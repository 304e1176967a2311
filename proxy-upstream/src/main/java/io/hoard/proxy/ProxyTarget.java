package io.hoard.proxy;

import io.hoard.model.RepositoryName;
import io.hoard.upstream.UpstreamException;
import io.hoard.upstream.UpstreamRegistry;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Where a proxied repository's content comes from.
 *
 * @param upstream the client for the upstream (with the credentials to use)
 * @param remoteName the repository's name on the upstream ({@code library/nginx})
 * @param cacheName the local repository the cache fills ({@code library/nginx} for the default
 *        upstream, {@code <host>/<name>} for the others)
 * @param ttl how long a cached tag is trusted
 * @param gate for an upstream reached with the client's own credentials ({@code proxy.on}): what
 *        that client has been accepted for; null for configured upstreams, whose cache is shared
 */
record ProxyTarget(UpstreamRegistry upstream, String remoteName, RepositoryName cacheName, Duration ttl,
        @Nullable ClientGate gate) {

    /** The upstream is reached with the client's own credentials, so a refusal is the client's to answer (401). */
    boolean clientCredentials() {
        return gate != null;
    }

    /** May the client have content cached in this repository? Asks the upstream with {@code probe} when unsure. */
    boolean mayServeCached(ClientGate.Probe probe, String what) {
        return gate == null || gate.allows(this, probe, what);
    }

    /**
     * Does this repository upstream have content that the cache holds only under other repositories?
     * Always asks: content is shared across repositories only where the upstream says it is there.
     */
    boolean upstreamHas(ClientGate.Probe probe, String what) {
        try {
            boolean has = probe.ask();
            if (gate != null) {
                gate.confirmed(upstream, remoteName);
            }
            return has;
        } catch (UpstreamException e) {
            if (gate != null) {
                gate.outage(e); // forgets a refused client
            }
            throw UpstreamErrors.toClient(e, what, this);
        }
    }

    /** Whose credentials reach the upstream: null for a configured upstream, else this client's gate key. */
    @Nullable String clientKey() {
        return gate == null ? null : gate.key();
    }

    /** A single-flight key for {@code work} that no other client's work shares under {@code proxy.on}. */
    String flightKey(String work) {
        return gate == null ? work : work + " " + gate.key();
    }
}
