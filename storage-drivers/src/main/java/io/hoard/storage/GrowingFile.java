package io.hoard.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;

/**
 * Content still being written to a local file (a blob a cache is fetching): it can be read as a
 * channel, or sent zero-copy from {@link #file()} range by range as {@link #awaitReadable} allows.
 */
public interface GrowingFile extends SeekableByteChannel {

    /** The file; not to be closed by callers (closing this channel closes it). */
    FileChannel file();

    /**
     * Blocks until bytes beyond {@code position} may be read, and returns how far reading may go.
     * Returns {@code position} itself when the content ends there.
     *
     * @throws IOException when the content cannot be completed (the response must be cut off)
     */
    long awaitReadable(long position) throws IOException;
}
