package io.hoard.proxy;

import io.hoard.model.RepositoryName;
import io.hoard.upstream.UpstreamRegistry;
import java.time.Duration;

/**
 * Where a proxied repository's content comes from.
 *
 * @param upstream the client for the upstream (with the credentials to use)
 * @param remoteName the repository's name on the upstream ({@code library/nginx})
 * @param cacheName the local repository the cache fills ({@code library/nginx} for the default
 *        upstream, {@code <host>/<name>} for the others)
 * @param ttl how long a cached tag is trusted
 * @param clientCredentials the upstream is reached with the client's own credentials ({@code proxy.on}),
 *        so a refusal is the client's to answer (401 with a challenge)
 */
record ProxyTarget(UpstreamRegistry upstream, String remoteName, RepositoryName cacheName, Duration ttl,
        boolean clientCredentials) {
}
