package io.hoard.storage.driver.base;

import io.hoard.storage.driver.FileInfo;
import io.hoard.storage.driver.FileWriter;
import io.hoard.storage.driver.InvalidOffsetException;
import io.hoard.storage.driver.InvalidPathException;
import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StoragePaths;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Checks every path against {@link StoragePaths} before a driver sees it, so drivers never have to
 * defend against {@code ..} or odd characters (distribution's {@code base.Base}). Writes and deletes
 * of the root are refused too.
 */
public final class ValidatingStorageDriver implements StorageDriver {
    private final StorageDriver delegate;

    public ValidatingStorageDriver(StorageDriver delegate) {
        this.delegate = delegate;
    }

    /** The wrapped driver, for callers that want its concrete type (tests, zero-copy checks). */
    public StorageDriver delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        return delegate.getContent(file(path));
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        delegate.putContent(file(path), content);
    }

    @Override
    public SeekableByteChannel reader(String path, long offset) throws IOException {
        if (offset < 0) {
            throw new InvalidOffsetException(path, offset);
        }
        return delegate.reader(file(path), offset);
    }

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        return delegate.writer(file(path), append);
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        return delegate.stat(any(path));
    }

    @Override
    public boolean isFile(String path) throws IOException {
        return delegate.isFile(any(path));
    }

    @Override
    public List<String> list(String path) throws IOException {
        return delegate.list(any(path));
    }

    @Override
    public void move(String from, String to) throws IOException {
        delegate.move(file(from), file(to));
    }

    @Override
    public void delete(String path) throws IOException {
        delegate.delete(file(path));
    }

    @Override
    public void walk(String path, Consumer<FileInfo> visitor) throws IOException {
        delegate.walk(any(path), visitor);
    }

    @Override
    public java.util.Optional<java.nio.file.Path> localRoot() {
        return delegate.localRoot();
    }

    @Override
    public void importFile(java.nio.file.Path source, String path) throws IOException {
        delegate.importFile(source, file(path));
    }

    @Override
    public boolean sharedByProcesses() {
        return delegate.sharedByProcesses();
    }

    @Override
    public boolean offersRedirects() {
        return delegate.offersRedirects();
    }

    @Override
    public Optional<URI> redirectUrl(String path) throws IOException {
        return delegate.redirectUrl(file(path));
    }

    private static String any(String path) throws InvalidPathException {
        if (!StoragePaths.isValid(path)) {
            throw new InvalidPathException(path);
        }
        return path;
    }

    /** A path naming a file or a deletable directory: valid and not the root. */
    private static String file(String path) throws InvalidPathException {
        if (path.equals("/") || !StoragePaths.isValid(path)) {
            throw new InvalidPathException(path);
        }
        return path;
    }
}
