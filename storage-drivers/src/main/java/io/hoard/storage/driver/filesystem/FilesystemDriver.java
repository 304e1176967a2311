package io.hoard.storage.driver.filesystem;

import io.hoard.storage.driver.FileInfo;
import io.hoard.storage.driver.FileWriter;
import io.hoard.storage.driver.InvalidOffsetException;
import io.hoard.storage.driver.PathNotFoundException;
import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StoragePaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Stores each path as a file below a root directory. Whole-file writes go to a temporary sibling
 * and are renamed into place, so readers never see half a file; {@link #reader} returns a
 * {@link FileChannel} so the server can send blobs with {@code sendfile}.
 *
 * <p>Temporary files carry a {@code ~} in their name, which the path grammar never allows, so
 * they can never collide with a real path and are hidden from {@link #list} and {@link #walk}.
 */
public final class FilesystemDriver implements StorageDriver {
    static final String NAME = "filesystem";
    private static final String TEMP_MARK = "~tmp-";

    private final Path root;

    public FilesystemDriver(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public java.util.Optional<Path> localRoot() {
        return java.util.Optional.of(root);
    }

    /** The directory everything is stored below. */
    public Path root() {
        return root;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        Path file = resolve(path);
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException | AccessDeniedException e) {
            throw new PathNotFoundException(path);
        } catch (IOException e) {
            if (Files.isDirectory(file)) {
                throw new PathNotFoundException(path);
            }
            throw e;
        }
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        Path file = resolve(path);
        Path temp = tempSibling(file);
        try {
            Files.write(temp, content);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public SeekableByteChannel reader(String path, long offset) throws IOException {
        Path file = resolve(path);
        if (Files.isDirectory(file)) {
            throw new PathNotFoundException(path);
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new PathNotFoundException(path);
        }
        if (offset > channel.size()) {
            channel.close();
            throw new InvalidOffsetException(path, offset);
        }
        return channel.position(offset);
    }

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        Path file = resolve(path);
        Files.createDirectories(file.getParent());
        FileChannel channel = append
                ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
                : FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
        return new Writer(file, channel, channel.size());
    }

    /** A rename when {@code source} is on the same filesystem (the proxy's spool is kept beside the data). */
    @Override
    public void importFile(Path source, String path) throws IOException {
        Path target = resolve(path);
        Files.createDirectories(target.getParent());
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Path temp = tempSibling(target);
            try {
                Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
            Files.deleteIfExists(source);
        }
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(resolve(path), BasicFileAttributes.class);
            return new FileInfo(path, a.isDirectory() ? 0 : a.size(), a.lastModifiedTime().toInstant(), a.isDirectory());
        } catch (NoSuchFileException e) {
            throw new PathNotFoundException(path);
        }
    }

    @Override
    public List<String> list(String path) throws IOException {
        Path dir = resolve(path);
        if (!Files.isDirectory(dir)) {
            if (path.equals("/")) {
                return List.of();
            }
            throw new PathNotFoundException(path);
        }
        List<String> children = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            entries.map(p -> p.getFileName().toString())
                    .filter(FilesystemDriver::isVisible)
                    .forEach(n -> children.add(StoragePaths.join(path, n)));
        } catch (NoSuchFileException e) {
            throw new PathNotFoundException(path);
        }
        return children;
    }

    @Override
    public void move(String from, String to) throws IOException {
        Path source = resolve(from);
        Path target = resolve(to);
        if (!Files.isRegularFile(source)) {
            throw new PathNotFoundException(from);
        }
        Files.createDirectories(target.getParent());
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            throw new PathNotFoundException(from);
        }
    }

    @Override
    public void delete(String path) throws IOException {
        Path target = resolve(path);
        if (!Files.exists(target)) {
            throw new PathNotFoundException(path);
        }
        if (!Files.isDirectory(target)) {
            Files.deleteIfExists(target);
            return;
        }
        try (Stream<Path> tree = Files.walk(target)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(p);
                } catch (DirectoryNotEmptyException e) {
                    // A concurrent writer created a file below; what it wrote survives the delete.
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public void walk(String path, Consumer<FileInfo> visitor) throws IOException {
        Path start = resolve(path);
        if (!Files.isDirectory(start)) {
            throw new PathNotFoundException(path);
        }
        walkDir(path, start, visitor);
    }

    private void walkDir(String path, Path dir, Consumer<FileInfo> visitor) throws IOException {
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.filter(p -> isVisible(p.getFileName().toString())).toList();
        } catch (NoSuchFileException | NotDirectoryException e) {
            return; // removed while walking
        }
        for (Path entry : entries) {
            String child = StoragePaths.join(path, entry.getFileName().toString());
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(entry, BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                continue;
            }
            visitor.accept(new FileInfo(child, a.isDirectory() ? 0 : a.size(), a.lastModifiedTime().toInstant(),
                    a.isDirectory()));
            if (a.isDirectory()) {
                walkDir(child, entry, visitor);
            }
        }
    }

    private Path resolve(String path) {
        return path.equals("/") ? root : root.resolve(path.substring(1));
    }

    private static Path tempSibling(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling(file.getFileName() + TEMP_MARK + UUID.randomUUID());
        try {
            return Files.createFile(temp);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("temporary file collision at " + temp, e);
        }
    }

    private static boolean isVisible(String name) {
        return !name.contains("~");
    }

    /** Writes straight into the target file; a resumed writer appends to it. */
    private static final class Writer implements FileWriter {
        private final Path file;
        private final FileChannel channel;
        private long size;

        Writer(Path file, FileChannel channel, long size) {
            this.file = file;
            this.channel = channel;
            this.size = size;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = channel.write(src);
            size += n;
            return n;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }

        @Override
        public void commit() throws IOException {
            try (channel) {
                channel.force(false);
            }
        }

        @Override
        public void cancel() throws IOException {
            channel.close();
            Files.deleteIfExists(file);
        }
    }
}
