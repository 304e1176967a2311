package io.hoard.proxy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Hashes on another thread what the calling thread has just written, so that downloading and
 * hashing a blob overlap instead of adding up (hashing is the largest CPU cost of a cache fill).
 * Buffers come from a small fixed pool, which bounds memory and makes the writer wait when the
 * hasher falls behind. Chunks are hashed in the order they are submitted.
 */
final class PipelinedDigest implements AutoCloseable {
    private record Chunk(byte[] buffer, int length) {
    }

    private static final Chunk END = new Chunk(new byte[0], 0);

    private final MessageDigest digest;
    private final BlockingQueue<byte[]> free;
    private final BlockingQueue<Chunk> work;
    private final Thread hasher;
    private boolean finished;

    PipelinedDigest(MessageDigest digest, int buffers, int bufferSize) {
        this.digest = digest;
        this.free = new ArrayBlockingQueue<>(buffers);
        this.work = new ArrayBlockingQueue<>(buffers + 1);
        for (int i = 0; i < buffers; i++) {
            free.add(new byte[bufferSize]);
        }
        this.hasher = Thread.ofVirtual().name("hoard-fill-hash").start(this::run);
    }

    private void run() {
        try {
            for (Chunk c; (c = work.take()) != END; ) {
                digest.update(c.buffer(), 0, c.length());
                free.put(c.buffer());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A buffer to read into; waits while all are being hashed. */
    byte[] buffer() throws IOException {
        try {
            return free.take();
        } catch (InterruptedException e) {
            throw new InterruptedIOException("interrupted waiting for a buffer");
        }
    }

    /** Queues {@code length} bytes of {@code buffer} (from {@link #buffer()}) for hashing. */
    void submit(byte[] buffer, int length) throws IOException {
        try {
            work.put(new Chunk(buffer, length));
        } catch (InterruptedException e) {
            throw new InterruptedIOException("interrupted queueing bytes to hash");
        }
    }

    /** Returns an unused buffer to the pool. */
    void giveBack(byte[] buffer) {
        free.offer(buffer);
    }

    /** Waits until everything submitted is hashed and returns the hash. */
    byte[] finish() throws IOException {
        try {
            work.put(END);
            hasher.join();
        } catch (InterruptedException e) {
            throw new InterruptedIOException("interrupted waiting for the hash");
        }
        finished = true;
        return digest.digest();
    }

    @Override
    public void close() {
        if (!finished) {
            hasher.interrupt();
        }
    }
}
