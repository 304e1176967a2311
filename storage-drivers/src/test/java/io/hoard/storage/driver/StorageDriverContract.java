package io.hoard.storage.driver;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hoard.storage.driver.base.ValidatingStorageDriver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@link StorageDriver} contract, run against every driver: a driver's test only says how to
 * make one. Each test cleans up what it wrote, and the suite checks that the root is empty after
 * each test (distribution's {@code TearDownTest}), so the suite also works on shared buckets.
 */
public abstract class StorageDriverContract {

    /** A new driver whose root is empty; {@code scratch} is a fresh directory it may use. */
    protected abstract StorageDriver newDriver(Path scratch) throws IOException;

    @TempDir
    protected Path scratch;

    protected StorageDriver driver;

    @BeforeEach
    void setUpDriver() throws IOException {
        driver = new ValidatingStorageDriver(newDriver(scratch));
    }

    @AfterEach
    void rootIsEmpty() throws IOException {
        assertThat(driver.list("/")).as("test left files behind").isEmpty();
    }

    // ---- whole-file content ----

    @Test
    void putThenGetReturnsSameBytes() throws IOException {
        driver.putContent("/t/a/file", "hello".getBytes(UTF_8));
        assertThat(driver.getContent("/t/a/file")).asString(UTF_8).isEqualTo("hello");
        driver.delete("/t");
    }

    @Test
    void emptyFileRoundTrips() throws IOException {
        driver.putContent("/t/empty", new byte[0]);
        assertThat(driver.getContent("/t/empty")).isEmpty();
        assertThat(driver.stat("/t/empty").size()).isZero();
        driver.delete("/t");
    }

    @Test
    void largeFileRoundTrips() throws IOException {
        byte[] big = randomBytes(5 * 1024 * 1024 + 17);
        driver.putContent("/t/big", big);
        assertThat(driver.getContent("/t/big")).isEqualTo(big);
        driver.delete("/t");
    }

    @Test
    void putOverwrites() throws IOException {
        driver.putContent("/t/f", "first, longer".getBytes(UTF_8));
        driver.putContent("/t/f", "second".getBytes(UTF_8));
        assertThat(driver.getContent("/t/f")).asString(UTF_8).isEqualTo("second");
        driver.delete("/t");
    }

    @Test
    void getMissingThrowsPathNotFound() {
        assertThatThrownBy(() -> driver.getContent("/missing/file")).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    void getDirectoryThrowsPathNotFound() throws IOException {
        driver.putContent("/t/d/f", new byte[] {1});
        assertThatThrownBy(() -> driver.getContent("/t/d")).isInstanceOf(PathNotFoundException.class);
        driver.delete("/t");
    }

    // ---- paths ----

    @ParameterizedTest
    @ValueSource(strings = {"", "relative", "/trailing/", "//double", "/a//b", "/a/../b", "/a/./b", "/..",
            "/with space", "/semi;colon", "/q?x", "/tilde~x", "/back\\slash", "/uni\u00e9"})
    void invalidPathsAreRejected(String path) {
        assertThatThrownBy(() -> driver.putContent(path, new byte[] {1})).isInstanceOf(InvalidPathException.class);
        assertThatThrownBy(() -> driver.getContent(path)).isInstanceOf(InvalidPathException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a", "/A-b_c.d", "/0/1/2/3/4/5/6/7/8/9", "/sha256-x", "/.hidden"})
    void validPathsAreAccepted(String path) throws IOException {
        driver.putContent(path, new byte[] {7});
        assertThat(driver.getContent(path)).containsExactly(7);
        driver.delete("/" + path.split("/")[1]);
    }

    @Test
    void rootCannotBeWrittenOrDeleted() {
        assertThatThrownBy(() -> driver.putContent("/", new byte[0])).isInstanceOf(InvalidPathException.class);
        assertThatThrownBy(() -> driver.delete("/")).isInstanceOf(InvalidPathException.class);
    }

    // ---- readers ----

    @Test
    void readerWithOffsetSkipsPrefix() throws IOException {
        driver.putContent("/t/f", "0123456789".getBytes(UTF_8));
        try (SeekableByteChannel r = driver.reader("/t/f", 4)) {
            assertThat(r.size()).isEqualTo(10);
            assertThat(readAll(r)).asString(UTF_8).isEqualTo("456789");
        }
        driver.delete("/t");
    }

    @Test
    void readerAtEndReadsNothing() throws IOException {
        driver.putContent("/t/f", "abc".getBytes(UTF_8));
        try (SeekableByteChannel r = driver.reader("/t/f", 3)) {
            assertThat(readAll(r)).isEmpty();
        }
        driver.delete("/t");
    }

    @Test
    void readerBeyondEndThrowsInvalidOffset() throws IOException {
        driver.putContent("/t/f", "abc".getBytes(UTF_8));
        assertThatThrownBy(() -> driver.reader("/t/f", 4)).isInstanceOf(InvalidOffsetException.class);
        assertThatThrownBy(() -> driver.reader("/t/f", -1)).isInstanceOf(InvalidOffsetException.class);
        driver.delete("/t");
    }

    @Test
    void readerOfMissingThrowsPathNotFound() {
        assertThatThrownBy(() -> driver.reader("/nope", 0)).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    void readerCanSeek() throws IOException {
        byte[] data = randomBytes(100_000);
        driver.putContent("/t/f", data);
        try (SeekableByteChannel r = driver.reader("/t/f", 0)) {
            r.position(99_990);
            ByteBuffer b = ByteBuffer.allocate(10);
            while (b.hasRemaining() && r.read(b) >= 0) {
                // fill
            }
            assertThat(b.array()).isEqualTo(java.util.Arrays.copyOfRange(data, 99_990, 100_000));
        }
        driver.delete("/t");
    }

    // ---- writers ----

    @Test
    void writerCommitMakesContentReadable() throws IOException {
        byte[] data = randomBytes(3 * 1024 * 1024 + 5);
        try (FileWriter w = driver.writer("/t/w", false)) {
            writeInChunks(w, data, 64 * 1024);
            assertThat(w.size()).isEqualTo(data.length);
            w.commit();
        }
        assertThat(driver.getContent("/t/w")).isEqualTo(data);
        assertThat(driver.stat("/t/w").size()).isEqualTo(data.length);
        driver.delete("/t");
    }

    @Test
    void resumedWriterAppends() throws IOException {
        FileWriter first = driver.writer("/t/w", false);
        first.write(ByteBuffer.wrap("hello ".getBytes(UTF_8)));
        first.close();
        FileWriter second = driver.writer("/t/w", true);
        assertThat(second.size()).isEqualTo(6);
        second.write(ByteBuffer.wrap("world".getBytes(UTF_8)));
        assertThat(second.size()).isEqualTo(11);
        second.commit();
        assertThat(driver.getContent("/t/w")).asString(UTF_8).isEqualTo("hello world");
        driver.delete("/t");
    }

    @Test
    void writerWithoutAppendTruncates() throws IOException {
        driver.putContent("/t/w", "old content".getBytes(UTF_8));
        FileWriter w = driver.writer("/t/w", false);
        assertThat(w.size()).isZero();
        w.write(ByteBuffer.wrap("new".getBytes(UTF_8)));
        w.commit();
        assertThat(driver.getContent("/t/w")).asString(UTF_8).isEqualTo("new");
        driver.delete("/t");
    }

    @Test
    void cancelledWriterLeavesNothing() throws IOException {
        FileWriter w = driver.writer("/t/w", false);
        w.write(ByteBuffer.wrap("doomed".getBytes(UTF_8)));
        w.cancel();
        assertThatThrownBy(() -> driver.getContent("/t/w")).isInstanceOf(PathNotFoundException.class);
        if (!driver.list("/").isEmpty()) {
            driver.delete("/t");
        }
    }

    @Test
    void concurrentWritersToDistinctPathsDoNotInterfere() throws Exception {
        int writers = 8;
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            contents.add(randomBytes(256 * 1024 + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int n = i;
                done.add(pool.submit((Callable<Void>) () -> {
                    try (FileWriter w = driver.writer("/t/c/" + n, false)) {
                        writeInChunks(w, contents.get(n), 4096);
                        w.commit();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < writers; i++) {
            assertThat(driver.getContent("/t/c/" + i)).isEqualTo(contents.get(i));
        }
        driver.delete("/t");
    }

    @Test
    void concurrentPutsOfOnePathLeaveOneWholeVersion() throws Exception {
        byte[] a = filled(200_000, (byte) 'a');
        byte[] b = filled(300_000, (byte) 'b');
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                byte[] content = i % 2 == 0 ? a : b;
                done.add(pool.submit((Callable<Void>) () -> {
                    driver.putContent("/t/same", content);
                    byte[] seen = driver.getContent("/t/same");
                    assertThat(java.util.Arrays.equals(seen, a) || java.util.Arrays.equals(seen, b))
                            .as("a reader sees one whole version").isTrue();
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        byte[] last = driver.getContent("/t/same");
        assertThat(java.util.Arrays.equals(last, a) || java.util.Arrays.equals(last, b)).isTrue();
        driver.delete("/t");
    }

    // ---- stat and list ----

    @Test
    void statReportsFilesAndDirectories() throws IOException {
        driver.putContent("/t/dir/file", "12345".getBytes(UTF_8));
        FileInfo file = driver.stat("/t/dir/file");
        assertThat(file.directory()).isFalse();
        assertThat(file.size()).isEqualTo(5);
        assertThat(file.path()).isEqualTo("/t/dir/file");
        assertThat(driver.stat("/t/dir").directory()).isTrue();
        driver.delete("/t");
    }

    @Test
    void isFileTellsFilesFromDirectoriesAndNothing() throws IOException {
        driver.putContent("/t/dir/file", new byte[] {1});
        assertThat(driver.isFile("/t/dir/file")).isTrue();
        assertThat(driver.isFile("/t/dir")).isFalse();
        assertThat(driver.isFile("/t/missing")).isFalse();
        driver.delete("/t");
    }

    @Test
    void statMissingThrowsPathNotFound() {
        assertThatThrownBy(() -> driver.stat("/missing")).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    void listReturnsDirectChildrenAsFullPaths() throws IOException {
        driver.putContent("/t/a/1", new byte[] {1});
        driver.putContent("/t/a/2", new byte[] {2});
        driver.putContent("/t/a/sub/3", new byte[] {3});
        driver.putContent("/t/ab", new byte[] {4});
        assertThat(driver.list("/t/a")).containsExactlyInAnyOrder("/t/a/1", "/t/a/2", "/t/a/sub");
        assertThat(driver.list("/t")).containsExactlyInAnyOrder("/t/a", "/t/ab");
        assertThat(driver.list("/")).containsExactly("/t");
        driver.delete("/t");
    }

    @Test
    void listMissingThrowsPathNotFound() {
        assertThatThrownBy(() -> driver.list("/missing")).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    void walkVisitsEverythingBelow() throws IOException {
        driver.putContent("/t/a/1", new byte[] {1});
        driver.putContent("/t/a/b/2", new byte[] {2, 2});
        driver.putContent("/t/c", new byte[0]);
        List<String> seen = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        driver.walk("/t", info -> {
            seen.add(info.path());
            if (info.directory()) {
                dirs.add(info.path());
            }
        });
        assertThat(seen).containsExactlyInAnyOrder("/t/a", "/t/a/1", "/t/a/b", "/t/a/b/2", "/t/c");
        assertThat(dirs).containsExactlyInAnyOrder("/t/a", "/t/a/b");
        assertThat(seen.indexOf("/t/a")).isLessThan(seen.indexOf("/t/a/b/2"));
        driver.delete("/t");
    }

    // ---- move ----

    @Test
    void moveRenamesAndRemovesSource() throws IOException {
        driver.putContent("/t/from", "payload".getBytes(UTF_8));
        driver.move("/t/from", "/t/deep/dir/to");
        assertThat(driver.getContent("/t/deep/dir/to")).asString(UTF_8).isEqualTo("payload");
        assertThatThrownBy(() -> driver.stat("/t/from")).isInstanceOf(PathNotFoundException.class);
        driver.delete("/t");
    }

    @Test
    void moveOverwrites() throws IOException {
        driver.putContent("/t/from", "new".getBytes(UTF_8));
        driver.putContent("/t/to", "old and longer".getBytes(UTF_8));
        driver.move("/t/from", "/t/to");
        assertThat(driver.getContent("/t/to")).asString(UTF_8).isEqualTo("new");
        driver.delete("/t");
    }

    @Test
    void moveMissingThrowsPathNotFound() {
        assertThatThrownBy(() -> driver.move("/t/none", "/t/to")).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    void importFileStoresAndConsumesTheLocalFile() throws IOException {
        byte[] data = randomBytes(300_000);
        Path local = java.nio.file.Files.write(scratch.resolve("local-import"), data);
        driver.putContent("/t/imported", "old".getBytes(UTF_8));
        driver.importFile(local, "/t/imported");
        assertThat(driver.getContent("/t/imported")).isEqualTo(data);
        assertThat(local).doesNotExist();
        assertThat(driver.list("/t")).containsExactly("/t/imported");
        driver.delete("/t");
    }

    // ---- delete ----

    @Test
    void deleteRemovesFile() throws IOException {
        driver.putContent("/t/f", new byte[] {1});
        driver.putContent("/t/g", new byte[] {1});
        driver.delete("/t/f");
        assertThatThrownBy(() -> driver.getContent("/t/f")).isInstanceOf(PathNotFoundException.class);
        assertThat(driver.getContent("/t/g")).containsExactly(1);
        driver.delete("/t");
    }

    @Test
    void deleteOnlyDeletesSubpaths() throws IOException {
        driver.putContent("/t/a/1", new byte[] {1});
        driver.putContent("/t/a/b/2", new byte[] {2});
        driver.putContent("/t/ab/3", new byte[] {3});
        driver.putContent("/t/a.x", new byte[] {4});
        driver.delete("/t/a");
        assertThatThrownBy(() -> driver.stat("/t/a")).isInstanceOf(PathNotFoundException.class);
        assertThat(driver.getContent("/t/ab/3")).containsExactly(3);
        assertThat(driver.getContent("/t/a.x")).containsExactly(4);
        driver.delete("/t");
    }

    @Test
    void deleteMissingThrowsPathNotFound() {
        assertThatThrownBy(() -> driver.delete("/t/none")).isInstanceOf(PathNotFoundException.class);
    }

    // ---- helpers ----

    protected static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static byte[] filled(int n, byte value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, value);
        return b;
    }

    private static void writeInChunks(FileWriter w, byte[] data, int chunk) throws IOException {
        for (int off = 0; off < data.length; off += chunk) {
            ByteBuffer buf = ByteBuffer.wrap(data, off, Math.min(chunk, data.length - off));
            while (buf.hasRemaining()) {
                w.write(buf);
            }
        }
    }

    protected static byte[] readAll(SeekableByteChannel r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        while (r.read(buf) >= 0) {
            out.write(buf.array(), 0, buf.position());
            buf.clear();
        }
        return out.toByteArray();
    }
}
