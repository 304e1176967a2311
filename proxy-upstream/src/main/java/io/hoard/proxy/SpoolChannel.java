package io.hoard.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import io.hoard.storage.driver.ReadOnlyChannel;
import java.nio.channels.SeekableByteChannel;
import io.hoard.storage.GrowingFile;

/**
 * Reads a blob that is still being downloaded, following the spool file as it grows and never
 * past what {@link BlobFill#readableLimit} allows. Blocking: it is read on a virtual thread.
 */
final class SpoolChannel extends ReadOnlyChannel implements GrowingFile {
    private final BlobFill fill;
    private final FileChannel file;
    private long position;

    SpoolChannel(BlobFill fill, FileChannel file, long position) {
        this.fill = fill;
        this.file = file;
        this.position = position;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        long limit = fill.readableLimit(position);
        if (position >= limit) {
            return -1;
        }
        int max = (int) Math.min(dst.remaining(), limit - position);
        ByteBuffer slice = dst.slice().limit(max);
        int n = file.read(slice, position);
        if (n < 0) {
            throw new IOException("spool of " + fill.digest() + " ended early");
        }
        dst.position(dst.position() + n);
        position += n;
        return n;
    }

    @Override
    public FileChannel file() {
        return file;
    }

    @Override
    public long awaitReadable(long from) throws IOException {
        long limit = fill.readableLimit(from);
        return Math.max(limit, from);
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) {
        position = newPosition;
        return this;
    }

    @Override
    public long size() {
        return fill.size();
    }

    @Override
    public boolean isOpen() {
        return file.isOpen();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
