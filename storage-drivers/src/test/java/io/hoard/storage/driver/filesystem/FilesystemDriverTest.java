package io.hoard.storage.driver.filesystem;

import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StorageDriverContract;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

final class FilesystemDriverTest extends StorageDriverContract {
    private Path root;

    @Override
    protected StorageDriver newDriver(Path scratch) {
        root = scratch.resolve("root");
        return new FilesystemDriver(root);
    }

    @Test
    void readerIsAFileChannelForZeroCopy() throws IOException {
        driver.putContent("/t/f", new byte[] {1, 2, 3});
        try (SeekableByteChannel r = driver.reader("/t/f", 1)) {
            assertThat(r).isInstanceOf(FileChannel.class);
        }
        driver.delete("/t");
    }

    @Test
    void putContentLeavesNoTemporaryFiles() throws IOException {
        driver.putContent("/t/f", new byte[] {1});
        try (var s = Files.list(root.resolve("t"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("f");
        }
        driver.delete("/t");
    }

    @Test
    void temporaryFilesAreHiddenFromListings() throws IOException {
        driver.putContent("/t/f", new byte[] {1});
        Files.write(root.resolve("t/f~tmp-leftover"), new byte[] {2});
        assertThat(driver.list("/t")).containsExactly("/t/f");
        driver.delete("/t");
    }
}
