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
 *        that the default upstream does not serve)
 * @param allowedHosts {@code proxy.allowedhosts}: which hosts {@code proxy.on} may proxy ({@code host},
 *        {@code host:port}, {@code *.domain}; empty: any public host); exact entries may also be non-public
 * @param accessTtl how long an upstream's acceptance of a client's credentials for a repository is
 *        trusted without asking again ({@code proxy.on} content)
 * @param accessGrace how old that acceptance may be for the client to still get cached content
 *        while the upstream cannot be asked
 * @param maxBlobSize the largest blob fetched from an upstream, in bytes
 * @param prefetch when an image manifest is fetched from a configured upstream, fetch the blobs it
 *        references too, one after another, before clients ask for them (off by default: it costs
 *        upstream bandwidth for manifests that are only inspected)
 * @param pins {@code proxy.pins}: {@code repo}, {@code repo:tag} or {@code repo@digest} never evicted or collected
 * @param eviction {@code proxy.eviction}: the cache's budget
 * @param prewarm {@code proxy.prewarm}: images fetched at start and kept fresh (and pinned)
 */
public record ProxyConfig(List<RemoteRegistry> remoteRegistries, boolean dynamic, Duration ttl, Duration connectTimeout,
        Duration timeout, List<String> localNamespaces, List<String> allowedHosts, Duration accessTtl, Duration accessGrace,
        long maxBlobSize, boolean prefetch, List<String> pins, EvictionConfig eviction, List<String> prewarm) {

    /** Without pins, eviction or prewarming. */
    public ProxyConfig(List<RemoteRegistry> remoteRegistries, boolean dynamic, Duration ttl, Duration connectTimeout,
            Duration timeout, List<String> localNamespaces, List<String> allowedHosts, Duration accessTtl,
            Duration accessGrace, long maxBlobSize, boolean prefetch) {
        this(remoteRegistries, dynamic, ttl, connectTimeout, timeout, localNamespaces, allowedHosts, accessTtl, accessGrace,
                maxBlobSize, prefetch, List.of(), EvictionConfig.NONE, List.of());
    }
}
