package io.hoard.storage;

import io.hoard.model.Descriptor;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;

/**
 * An open blob: its descriptor and a channel positioned at {@code offset}. The channel is a
 * {@link java.nio.channels.FileChannel} when the driver stores local files (zero-copy serving).
 */
public record BlobContent(Descriptor descriptor, SeekableByteChannel channel, long offset) implements AutoCloseable {
    @Override
    public void close() throws IOException {
        channel.close();
    }
}
