package io.hoard.storage.driver;

import java.time.Instant;

/** What a driver knows about a path. For directories {@code size} is 0. */
public record FileInfo(String path, long size, Instant modified, boolean directory) {
}
