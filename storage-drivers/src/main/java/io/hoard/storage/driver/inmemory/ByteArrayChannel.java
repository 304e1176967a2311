package io.hoard.storage.driver.inmemory;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import io.hoard.storage.driver.ReadOnlyChannel;
import java.nio.channels.SeekableByteChannel;

/** A read-only channel over an immutable byte array. */
final class ByteArrayChannel extends ReadOnlyChannel {
    private final byte[] content;
    private long position;
    private boolean open = true;

    ByteArrayChannel(byte[] content) {
        this.content = content;
    }

    @Override
    public int read(ByteBuffer dst) throws ClosedChannelException {
        ensureOpen();
        if (position >= content.length) {
            return -1;
        }
        int n = (int) Math.min(dst.remaining(), content.length - position);
        dst.put(content, (int) position, n);
        position += n;
        return n;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws ClosedChannelException {
        ensureOpen();
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position");
        }
        position = newPosition;
        return this;
    }

    @Override
    public long size() {
        return content.length;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}
