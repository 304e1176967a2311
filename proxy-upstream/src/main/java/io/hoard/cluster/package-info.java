/**
 * Several instances on one store: Redis for coordination (fill leases, shared blob descriptors and
 * manifests, invalidations) and the signed peer route over which one instance streams a fill in
 * progress to the others. Starting point: {@link io.hoard.cluster.RedisCoordinator}.
 */
@NullMarked
package io.hoard.cluster;

import org.jspecify.annotations.NullMarked;
