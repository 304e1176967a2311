/**
 * Talking to upstream registries: the V2 client, its authentication (bearer tokens, Basic), retries,
 * timeouts and circuit breaker.
 *
 * <p>Starting points: {@link io.hoard.upstream.UpstreamRegistry} (what the proxy needs of an upstream),
 * {@link io.hoard.upstream.RegistryClient} (the one implementation), {@link io.hoard.upstream.TokenCache}
 * (tokens per upstream, scope and credentials), {@link io.hoard.upstream.UpstreamException} (how it fails).
 */
@NullMarked
package io.hoard.upstream;

import org.jspecify.annotations.NullMarked;
