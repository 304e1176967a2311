/**
 * The pull-through cache: the same storage interfaces as a plain registry, decorated so that a
 * miss is filled from an upstream.
 *
 * <p>Starting points: {@link io.hoard.proxy.ProxyResolver} (which repository serves a name: local,
 * or a cache of which upstream), {@link io.hoard.proxy.ProxyBlobStore} and {@link io.hoard.proxy.BlobFill}
 * (streamed, verified, single-flight blob fills), {@link io.hoard.proxy.ProxyTagStore} (tag TTL,
 * revalidation with HEAD, stale serving), {@link io.hoard.proxy.ProxyMetrics}.
 */
@NullMarked
package io.hoard.proxy;

import org.jspecify.annotations.NullMarked;
