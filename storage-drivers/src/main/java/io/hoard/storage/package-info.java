/**
 * Registry semantics over a {@link io.hoard.storage.driver.StorageDriver}: content-addressed blobs,
 * repositories that link them, manifests, tags, referrers and upload sessions, in distribution's
 * on-disk layout (see {@link io.hoard.storage.PathSpec}).
 *
 * <p>Starting points: {@link io.hoard.storage.Registry} and {@link io.hoard.storage.Repository}
 * (the interfaces the server talks to), {@link io.hoard.storage.DriverRegistry} (their
 * implementation), {@link io.hoard.storage.DriverUpload#commit} (write, verify, move, link).
 */
@NullMarked
package io.hoard.storage;

import org.jspecify.annotations.NullMarked;
