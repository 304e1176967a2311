/**
 * {@code hoard export} and {@code hoard import}: images of the store to and from OCI image layout
 * and {@code docker save} archives, for air-gapped sites and backups.
 */
@NullMarked
package io.hoard.server.archive;

import org.jspecify.annotations.NullMarked;
