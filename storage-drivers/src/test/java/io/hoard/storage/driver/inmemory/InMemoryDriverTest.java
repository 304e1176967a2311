package io.hoard.storage.driver.inmemory;

import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StorageDriverContract;
import java.nio.file.Path;

final class InMemoryDriverTest extends StorageDriverContract {
    @Override
    protected StorageDriver newDriver(Path scratch) {
        return new InMemoryDriver();
    }
}
