package io.hoard.storage;

import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.storage.driver.PathNotFoundException;
import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StorageUnavailableException;
import java.io.IOException;
import java.util.Optional;

/**
 * The store boundary where driver {@link IOException}s become {@link RegistryException}s: a
 * missing path is usually an answer ("not there"), anything else is a storage failure (500, or 503 when the store is unreachable).
 */
final class StorageIo {
    private StorageIo() {
    }

    @FunctionalInterface
    interface IoCall<T> {
        T call() throws IOException;
    }

    @FunctionalInterface
    interface IoRun {
        void run() throws IOException;
    }

    /** Runs {@code call}; any I/O failure is a storage failure. */
    static <T> T io(String action, IoCall<T> call) {
        try {
            return call.call();
        } catch (IOException e) {
            throw failure(action, e);
        }
    }

    static void run(String action, IoRun call) {
        try {
            call.run();
        } catch (IOException e) {
            throw failure(action, e);
        }
    }

    /** Runs {@code call}; a missing path yields empty. */
    static <T> Optional<T> ifExists(String action, IoCall<T> call) {
        try {
            return Optional.of(call.call());
        } catch (PathNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw failure(action, e);
        }
    }

    /** Deletes {@code path} if it exists. */
    static void deleteIfExists(StorageDriver driver, String path) {
        try {
            driver.delete(path);
        } catch (PathNotFoundException e) {
            // already gone: the goal of the call is met
        } catch (IOException e) {
            throw failure("deleting " + path, e);
        }
    }

    /** True when a file is at {@code path} (cheaper than {@link #exists} on object stores). */
    static boolean fileExists(StorageDriver driver, String path) {
        try {
            return driver.isFile(path);
        } catch (IOException e) {
            throw failure("checking " + path, e);
        }
    }

    static boolean exists(StorageDriver driver, String path) {
        return ifExists("checking " + path, () -> driver.stat(path)).isPresent();
    }

    static RegistryException failure(String action, IOException e) {
        if (e instanceof StorageUnavailableException) {
            return new RegistryException(ErrorCode.UNAVAILABLE, "storage unavailable while " + action + ": "
                    + e.getMessage(), e);
        }
        return new RegistryException(ErrorCode.UNKNOWN, "storage failure while " + action + ": " + e.getMessage(), e);
    }
}
