/** Decorators every driver is wrapped in. Starting point: {@link io.hoard.storage.driver.base.ValidatingStorageDriver}. */
@NullMarked
package io.hoard.storage.driver.base;

import org.jspecify.annotations.NullMarked;
