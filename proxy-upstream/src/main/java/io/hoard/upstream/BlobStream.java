package io.hoard.upstream;

import java.io.IOException;
import java.io.InputStream;

/** An upstream blob body: {@code size} is the whole blob's, the stream starts at {@code offset}. */
public record BlobStream(long size, long offset, InputStream body) implements AutoCloseable {
    @Override
    public void close() throws IOException {
        body.close();
    }
}
