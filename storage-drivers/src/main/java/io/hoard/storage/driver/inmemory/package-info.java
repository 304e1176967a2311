/** The in-memory driver: a real driver and the fake for every test above it. Starting point: {@link io.hoard.storage.driver.inmemory.InMemoryDriver}. */
@NullMarked
package io.hoard.storage.driver.inmemory;

import org.jspecify.annotations.NullMarked;
