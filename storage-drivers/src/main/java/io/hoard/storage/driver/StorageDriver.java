package io.hoard.storage.driver;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A hierarchical store of byte files addressed by absolute paths such as {@code /a/b/c}
 * (grammar in {@link StoragePaths}). Directories exist implicitly while they hold a file.
 * Implementations are safe for concurrent use. Every method may throw {@link IOException} for a
 * failure of the backing store; the subtypes below name the failures callers act on.
 */
public interface StorageDriver {

    /** The driver's name as it is written in config.yml, e.g. {@code filesystem}. */
    String name();

    /**
     * The whole content of a file. Meant for small files (links, metadata).
     *
     * @throws PathNotFoundException when no file exists at {@code path}
     */
    byte[] getContent(String path) throws IOException;

    /**
     * Stores {@code content} at {@code path}, replacing what was there, atomically: a reader sees
     * either the old or the new content, never a part.
     */
    void putContent(String path, byte[] content) throws IOException;

    /**
     * A channel reading the file at {@code path}, positioned at {@code offset}. The channel's
     * {@code size()} is the file's size. Drivers backed by local files return a
     * {@link java.nio.channels.FileChannel}, which callers may use for zero-copy transfers.
     *
     * @throws PathNotFoundException when no file exists at {@code path}
     * @throws InvalidOffsetException when {@code offset} is negative or beyond the end of the file
     */
    SeekableByteChannel reader(String path, long offset) throws IOException;

    /**
     * A writer for the file at {@code path}. With {@code append} the writer continues an existing
     * file that has not been committed by an earlier writer (a resumed upload), else it starts
     * from an empty file. What a reader sees of the path before {@link FileWriter#commit()} is
     * undefined; after commit it sees everything written. The behaviour of two writers open on one
     * path at once is undefined.
     */
    FileWriter writer(String path, boolean append) throws IOException;

    /**
     * What is at {@code path}: a file with its size, or a directory.
     *
     * @throws PathNotFoundException when nothing exists at {@code path}
     */
    FileInfo stat(String path) throws IOException;

    /**
     * True when a file (not a directory) is at {@code path}. The default asks {@link #stat};
     * object stores answer with one request where {@code stat} may need two (a missing key is
     * then looked up as a prefix).
     */
    default boolean isFile(String path) throws IOException {
        try {
            return !stat(path).directory();
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    /**
     * The direct children of the directory at {@code path}, as full paths, in no particular order.
     * Listing {@code /} of an empty store returns an empty list.
     *
     * @throws PathNotFoundException when {@code path} is not an existing directory (except {@code /})
     */
    List<String> list(String path) throws IOException;

    /**
     * Moves the file at {@code from} to {@code to}, replacing any file there. After the call
     * {@code from} no longer exists; readers of {@code to} see the old or the new file, never a mix.
     *
     * @throws PathNotFoundException when no file exists at {@code from}
     */
    void move(String from, String to) throws IOException;

    /**
     * Deletes the file at {@code path}, or the directory and everything below it. Paths that merely
     * share a prefix ({@code /a/bc} for {@code /a/b}) are untouched.
     *
     * @throws PathNotFoundException when nothing exists at {@code path}
     */
    void delete(String path) throws IOException;

    /**
     * Calls {@code visitor} for every file and directory below {@code path} (not {@code path}
     * itself), parents before their children, in no particular order among siblings.
     *
     * @throws PathNotFoundException when {@code path} is not an existing directory
     */
    void walk(String path, Consumer<FileInfo> visitor) throws IOException;

    /**
     * Stores the local file {@code source} at {@code path}, replacing any file there, atomically
     * as {@link #putContent}; {@code source} is consumed (moved or deleted). Drivers on the same
     * filesystem move the file instead of copying it. The default copies through a writer.
     */
    default void importFile(java.nio.file.Path source, String path) throws IOException {
        String temp = path + ".import-" + java.util.UUID.randomUUID();
        try (java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(source);
                FileWriter w = writer(temp, false)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(256 * 1024);
            while (in.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    w.write(buf);
                }
                buf.clear();
            }
            w.commit();
        } catch (IOException | RuntimeException e) {
            try {
                delete(temp);
            } catch (IOException ignored) {
                // nothing was written
            }
            throw e;
        }
        move(temp, path);
        java.nio.file.Files.deleteIfExists(source);
    }

    /**
     * A URL a client may fetch the file from directly (a presigned S3 URL), if the driver offers
     * one. The default has none.
     */
    default Optional<URI> redirectUrl(String path) throws IOException {
        return Optional.empty();
    }

    /**
     * True when other processes write the same store at the same time (several instances on one
     * bucket): what one process remembers may be changed by another, and state kept between
     * requests must live in the store. False for the filesystem and in-memory drivers, which one
     * process owns.
     */
    default boolean sharedByProcesses() {
        return false;
    }

    /**
     * True when {@link #redirectUrl} gives URLs, so that asking for one is worth a request's time.
     */
    default boolean offersRedirects() {
        return false;
    }

    /**
     * The local directory this driver stores under, when it stores on a local filesystem: callers
     * put files beside the data there (spools that {@link #importFile} then renames into place,
     * generated TLS keys) and may send files with zero-copy I/O. Empty for remote storage.
     */
    default Optional<java.nio.file.Path> localRoot() {
        return Optional.empty();
    }
}
