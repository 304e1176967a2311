package io.hoard.storage.driver;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/**
 * Writes one file of a {@link StorageDriver}. Every writer must end in exactly one of
 * {@link #commit()}, {@link #cancel()} or {@link #close()} (close keeps what was written so far so
 * that a later {@code writer(path, true)} can continue it).
 */
public interface FileWriter extends WritableByteChannel {

    /** The number of bytes the file holds so far, including what an appended-to file had. */
    long size();

    /** Makes everything written durable and visible to readers; the writer is closed afterwards. */
    void commit() throws IOException;

    /** Discards the file; the writer is closed afterwards. */
    void cancel() throws IOException;
}
