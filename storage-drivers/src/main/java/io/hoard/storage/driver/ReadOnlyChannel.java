package io.hoard.storage.driver;

import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/** Base of the read-only channels over stored content: writing and truncating are refused. */
public abstract class ReadOnlyChannel implements SeekableByteChannel {
    @Override
    public final int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public final SeekableByteChannel truncate(long size) {
        throw new NonWritableChannelException();
    }
}
