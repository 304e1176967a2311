package io.hoard.server.metrics;

import io.hoard.storage.driver.FileInfo;
import io.hoard.storage.driver.FileWriter;
import io.hoard.storage.driver.PathNotFoundException;
import io.hoard.storage.driver.StorageDriver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A storage driver that times every call: {@code hoard_storage_operations_seconds} by driver,
 * operation and outcome ({@code ok}, {@code not_found}, {@code error}). Opening a reader or writer
 * is timed, not the bytes that flow through it afterwards.
 */
public final class MeteredStorageDriver implements StorageDriver {
    private final StorageDriver driver;
    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

    public MeteredStorageDriver(StorageDriver driver, MeterRegistry registry) {
        this.driver = driver;
        this.registry = registry;
    }

    private interface Call<T> {
        T run() throws IOException;
    }

    private <T> T timed(String operation, Call<T> call) throws IOException {
        long start = System.nanoTime();
        String outcome = "error";
        try {
            T result = call.run();
            outcome = "ok";
            return result;
        } catch (PathNotFoundException e) {
            outcome = "not_found";
            throw e;
        } finally {
            String o = outcome;
            timers.computeIfAbsent(operation + ' ' + o, k -> Timer.builder("hoard_storage_operations")
                    .tag("driver", driver.name()).tag("operation", operation).tag("outcome", o)
                    .description("Storage driver calls, by operation and outcome").publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(30))
                    .register(registry)).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public String name() {
        return driver.name();
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        return timed("get_content", () -> driver.getContent(path));
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        timed("put_content", () -> {
            driver.putContent(path, content);
            return Boolean.TRUE;
        });
    }

    @Override
    public SeekableByteChannel reader(String path, long offset) throws IOException {
        return timed("reader", () -> driver.reader(path, offset));
    }

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        return timed("writer", () -> driver.writer(path, append));
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        return timed("stat", () -> driver.stat(path));
    }

    @Override
    public boolean isFile(String path) throws IOException {
        return timed("is_file", () -> driver.isFile(path));
    }

    @Override
    public List<String> list(String path) throws IOException {
        return timed("list", () -> driver.list(path));
    }

    @Override
    public void move(String from, String to) throws IOException {
        timed("move", () -> {
            driver.move(from, to);
            return Boolean.TRUE;
        });
    }

    @Override
    public void delete(String path) throws IOException {
        timed("delete", () -> {
            driver.delete(path);
            return Boolean.TRUE;
        });
    }

    @Override
    public void walk(String path, Consumer<FileInfo> visitor) throws IOException {
        timed("walk", () -> {
            driver.walk(path, visitor);
            return Boolean.TRUE;
        });
    }

    @Override
    public void importFile(Path source, String path) throws IOException {
        timed("import_file", () -> {
            driver.importFile(source, path);
            return Boolean.TRUE;
        });
    }

    @Override
    public Optional<URI> redirectUrl(String path) throws IOException {
        return timed("redirect_url", () -> driver.redirectUrl(path));
    }

    @Override
    public boolean sharedByProcesses() {
        return driver.sharedByProcesses();
    }

    @Override
    public boolean offersRedirects() {
        return driver.offersRedirects();
    }

    @Override
    public Optional<Path> localRoot() {
        return driver.localRoot();
    }
}
