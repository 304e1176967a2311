/** The local filesystem driver. Starting point: {@link io.hoard.storage.driver.filesystem.FilesystemDriver}. */
@NullMarked
package io.hoard.storage.driver.filesystem;

import org.jspecify.annotations.NullMarked;
