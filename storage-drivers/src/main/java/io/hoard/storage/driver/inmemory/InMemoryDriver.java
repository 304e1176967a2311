package io.hoard.storage.driver.inmemory;

import io.hoard.storage.driver.FileInfo;
import io.hoard.storage.driver.FileWriter;
import io.hoard.storage.driver.InvalidOffsetException;
import io.hoard.storage.driver.PathNotFoundException;
import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StoragePaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SeekableByteChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

/**
 * Keeps files in a sorted map from path to immutable content; directories are the prefixes of
 * file paths. Readers get a snapshot of the content, so a concurrent replace never tears a read.
 */
public final class InMemoryDriver implements StorageDriver {
    static final String NAME = "inmemory";

    private record Entry(byte[] content, Instant modified) {
    }

    private final ConcurrentSkipListMap<String, Entry> files = new ConcurrentSkipListMap<>();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        return entry(path).content().clone();
    }

    @Override
    public void putContent(String path, byte[] content) {
        store(path, content.clone());
    }

    @Override
    public SeekableByteChannel reader(String path, long offset) throws IOException {
        byte[] content = entry(path).content();
        if (offset > content.length) {
            throw new InvalidOffsetException(path, offset);
        }
        return new ByteArrayChannel(content).position(offset);
    }

    @Override
    public FileWriter writer(String path, boolean append) {
        Entry existing = files.get(path);
        byte[] start = append && existing != null ? existing.content() : new byte[0];
        return new Writer(path, start);
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        Entry e = files.get(path);
        if (e != null) {
            return new FileInfo(path, e.content().length, e.modified(), false);
        }
        NavigableMap<String, Entry> below = below(path);
        if (below.isEmpty()) {
            throw new PathNotFoundException(path);
        }
        Instant newest = below.values().stream().map(Entry::modified).max(Instant::compareTo).orElseThrow();
        return new FileInfo(path, 0, newest, true);
    }

    @Override
    public List<String> list(String path) throws IOException {
        NavigableMap<String, Entry> below = below(path);
        if (below.isEmpty()) {
            if (path.equals("/")) {
                return List.of();
            }
            throw new PathNotFoundException(path);
        }
        String prefix = prefix(path);
        Set<String> children = new LinkedHashSet<>();
        for (String file : below.keySet()) {
            int slash = file.indexOf('/', prefix.length());
            children.add(slash < 0 ? file : file.substring(0, slash));
        }
        return new ArrayList<>(children);
    }

    @Override
    public void move(String from, String to) throws IOException {
        Entry e = files.get(from);
        if (e == null) {
            throw new PathNotFoundException(from);
        }
        if (from.equals(to)) {
            return;
        }
        files.put(to, e);
        files.remove(from, e);
    }

    @Override
    public void delete(String path) throws IOException {
        boolean removed = files.remove(path) != null;
        NavigableMap<String, Entry> below = below(path);
        removed |= !below.isEmpty();
        below.clear();
        if (!removed) {
            throw new PathNotFoundException(path);
        }
    }

    @Override
    public void walk(String path, Consumer<FileInfo> visitor) throws IOException {
        NavigableMap<String, Entry> below = below(path);
        if (below.isEmpty()) {
            throw new PathNotFoundException(path);
        }
        String prefix = prefix(path);
        Set<String> seenDirs = new LinkedHashSet<>();
        for (Map.Entry<String, Entry> file : below.entrySet()) {
            String key = file.getKey();
            for (int slash = key.indexOf('/', prefix.length()); slash > 0; slash = key.indexOf('/', slash + 1)) {
                String dir = key.substring(0, slash);
                if (seenDirs.add(dir)) {
                    visitor.accept(new FileInfo(dir, 0, file.getValue().modified(), true));
                }
            }
            visitor.accept(new FileInfo(key, file.getValue().content().length, file.getValue().modified(), false));
        }
    }

    private Entry entry(String path) throws PathNotFoundException {
        Entry e = files.get(path);
        if (e == null) {
            throw new PathNotFoundException(path);
        }
        return e;
    }

    private void store(String path, byte[] content) {
        files.put(path, new Entry(content, Instant.now()));
    }

    private NavigableMap<String, Entry> below(String dir) {
        String prefix = prefix(dir);
        // '/' + 1 == '0': every key with this prefix sorts before prefix-with-'0'-instead-of-'/'.
        return files.subMap(prefix, true, prefix.substring(0, prefix.length() - 1) + '0', false);
    }

    private static String prefix(String dir) {
        return dir.equals("/") ? "/" : dir + "/";
    }

    /** Buffers writes and stores the file on commit or close (so a resumed writer can continue it). */
    private final class Writer implements FileWriter {
        private final String path;
        private byte[] buffer;
        private int size;
        private boolean open = true;

        Writer(String path, byte[] start) {
            this.path = path;
            this.buffer = Arrays.copyOf(start, Math.max(start.length, 8192));
            this.size = start.length;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (!open) {
                throw new ClosedChannelException();
            }
            int n = src.remaining();
            if ((long) size + n > Integer.MAX_VALUE - 16) {
                throw new IOException("in-memory files are limited to 2 GiB: " + StoragePaths.baseName(path));
            }
            if (size + n > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(size + n, buffer.length * 2));
            }
            src.get(buffer, size, n);
            size += n;
            return n;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                store(path, Arrays.copyOf(buffer, size));
            }
        }

        @Override
        public void commit() {
            close();
        }

        @Override
        public void cancel() {
            open = false;
            files.remove(path);
        }
    }
}
