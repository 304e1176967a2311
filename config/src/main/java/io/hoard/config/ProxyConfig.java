package io.hoard.config;

import java.time.Duration;
import java.util.List;

/**
 * {@code proxy}: the upstreams to cache. distribution's single {@code remoteurl} (with
 * {@code username}/{@code password}) folds into the list as its first entry.
 *
 * @param remoteRegistries the configured upstreams; the first is the default (serves docker.io)
 * @param dynamic {@code proxy.on}: also proxy upstreams named by the request
 * @param ttl how long a cached tag is trusted before it is revalidated
 * @param connectTimeout how long to wait for a connection to an upstream
 * @param timeout how long to wait for an upstream's response (headers, or the next bytes of a body)
 * @param localNamespaces first path components under which pushes are accepted (empty: any name
 *        that does not route to an upstream)
 */
public record ProxyConfig(List<RemoteRegistry> remoteRegistries, boolean dynamic, Duration ttl, Duration connectTimeout,
        Duration timeout, List<String> localNamespaces) {
}
