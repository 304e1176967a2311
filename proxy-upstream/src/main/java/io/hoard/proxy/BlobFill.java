package io.hoard.proxy;

import io.hoard.model.Digest;
import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.upstream.BlobStream;
import io.hoard.upstream.UpstreamException;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One download of a blob from upstream into a local spool file, shared by every client that asks
 * for the blob meanwhile. The digest is computed while the bytes arrive; readers
 * ({@link SpoolChannel}) may read everything written except the last {@link #HOLD_BACK} bytes,
 * which are released only once the digest is verified. So on a mismatch or a broken upstream no
 * client ever receives a complete response: the fill fails, readers fail, and the server cuts the
 * connections. A broken upstream connection is resumed with a Range request a few times first.
 */
final class BlobFill {
    private static final Logger LOG = LoggerFactory.getLogger(BlobFill.class);
    static final long HOLD_BACK = 64 * 1024;
    private static final int RESUMES = 3;
    /** Readers are woken when this much more is written, or when this long has passed since the last wake-up. */
    private static final long SIGNAL_BYTES = 1 << 20;
    private static final long SIGNAL_NANOS = 2_000_000;
    /** How often a waiting reader looks again by itself, for bytes written after the last wake-up. */
    private static final long RECHECK_NANOS = 20_000_000;

    enum State { STARTING, RUNNING, VERIFIED, FAILED }

    private final Digest digest;
    private final ProxyTarget target;
    private final Path spool;
    private final Duration stallTimeout;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile State state = State.STARTING;
    private volatile long size = -1;
    /** {@code proxy.maxblobsize}: a larger announced size is refused before anything is spooled. */
    private final long maxBlobSize;
    private volatile long written;
    /** What readers were last told about (fill thread only). */
    private long signalledAt;
    private long signalledNanos = System.nanoTime() - SIGNAL_NANOS;
    private volatile @Nullable RuntimeException failure;
    private volatile boolean spoolDeleted;
    /** Another instance's fill to stream from instead of the upstream; dropped at its first failure. */
    private volatile @Nullable PeerSource peer;
    /** Whether the stream being read comes from {@link #peer} (fill thread only). */
    private boolean readingPeer;

    BlobFill(Digest digest, ProxyTarget target, Path spoolDir, Duration stallTimeout, long maxBlobSize) throws IOException {
        this.maxBlobSize = maxBlobSize;
        this.digest = digest;
        this.target = target;
        this.spool = Files.createTempFile(spoolDir, digest.hex().substring(0, 12) + "-", ".spool");
        this.stallTimeout = stallTimeout;
    }

    Digest digest() {
        return digest;
    }

    ProxyTarget target() {
        return target;
    }

    /** Why the fill failed, once it has. */
    @Nullable RuntimeException failure() {
        return failure;
    }

    Path spool() {
        return spool;
    }

    State state() {
        return state;
    }

    /** Streams from another instance's fill of the same blob, falling back to the upstream if it fails. */
    void fromPeer(PeerSource source) {
        this.peer = source;
    }

    /** True when every byte came from the peer (so the peer, not this fill, commits the blob). */
    boolean servedByPeer() {
        return peer != null;
    }

    // ---- the download (runs on its own virtual thread, detached from any client) ----

    /**
     * Downloads and verifies; returns normally only when the spool holds exactly the blob.
     *
     * @throws RegistryException when the upstream does not have the blob, fails, or sends wrong bytes
     */
    void download() {
        // RandomAccessFile, not FileChannel: an interrupt from the watchdog must not close the spool.
        try (RandomAccessFile out = new RandomAccessFile(spool.toFile(), "rw");
                PipelinedDigest hash = new PipelinedDigest(digest.algorithm().newMessageDigest(), 8, 256 * 1024)) {
            for (int attempt = 0; ; attempt++) {
                try (BlobStream stream = open(written)) {
                    if (size < 0) {
                        publishSize(stream.size());
                    }
                    copy(stream.body(), out, hash);
                    if (readingPeer && written < size) {
                        throw new IOException("the stream ended at " + written + " of " + size + " bytes");
                    }
                    break;
                } catch (IOException e) {
                    Thread.interrupted(); // clear the watchdog's interrupt, if it was one
                    if (readingPeer) {
                        dropPeer(e);
                        attempt--; // the upstream has not failed yet
                        continue;
                    }
                    if (attempt >= RESUMES) {
                        throw new UpstreamException(UpstreamException.Kind.UNREACHABLE, target.upstream().name()
                                + " broke off blob " + digest + " after " + written + " of " + size + " bytes: " + e, e);
                    }
                    LOG.info("upstream {} broke off blob {} at {} of {} bytes ({}); resuming", target.upstream().name(),
                            digest, written, size, e.toString());
                }
            }
            if (written != size) {
                throw new UpstreamException(UpstreamException.Kind.PROTOCOL, target.upstream().name() + " sent "
                        + written + " bytes for blob " + digest + " of " + size);
            }
            Digest actual = Digest.fromHash(digest.algorithm(), hash.finish());
            if (!actual.equals(digest)) {
                throw new UpstreamException(UpstreamException.Kind.PROTOCOL, target.upstream().name()
                        + " sent wrong content for blob " + digest + " (its digest is " + actual + "); nothing was cached");
            }
        } catch (IOException e) {
            throw fail(new RegistryException(ErrorCode.UNKNOWN, "cannot spool blob " + digest + ": " + e, e));
        } catch (UpstreamException e) {
            throw fail(UpstreamErrors.toClient(e, "blob " + digest, target));
        } catch (RegistryException e) {
            throw fail(e);
        }
        setState(State.VERIFIED);
    }

    private BlobStream open(long offset) {
        PeerSource p = peer;
        if (p != null) {
            try {
                BlobStream fromPeer = p.open(digest, offset);
                readingPeer = true;
                return fromPeer;
            } catch (IOException e) {
                dropPeer(e);
            }
        }
        readingPeer = false;
        BlobStream stream = target.upstream().openBlob(target.remoteName(), digest, offset).orElseThrow(() ->
                new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in " + target.remoteName()
                        + " on " + target.upstream().name()));
        if (stream.offset() != offset) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, "asked for offset " + offset + ", got " + stream.offset());
        }
        return stream;
    }

    private void copy(InputStream in, RandomAccessFile out, PipelinedDigest hash) throws IOException {
        Thread reader = Thread.currentThread();
        // The JDK client has no read timeout: a watchdog interrupts a read that makes no progress.
        try (var watchdog = StallWatchdog.start(reader, stallTimeout, () -> written)) {
            while (true) {
                byte[] buf = hash.buffer();
                int n = in.read(buf);
                if (n < 0) {
                    hash.giveBack(buf);
                    break;
                }
                if (size >= 0 && written + n > size) {
                    hash.giveBack(buf);
                    throw new UpstreamException(UpstreamException.Kind.PROTOCOL, target.upstream().name()
                            + " sent more than " + size + " bytes for blob " + digest);
                }
                out.seek(written);
                out.write(buf, 0, n);
                hash.submit(buf, n);
                if (!readingPeer) {
                    target.upstream().stats().addBytes(n);
                }
                written += n;
                // Readers are woken per megabyte, or after a pause, not per socket read: each wake-up
                // costs a thread switch and a write to the client, and bigger writes stream better.
                long now = System.nanoTime();
                if (written - signalledAt >= SIGNAL_BYTES || now - signalledNanos >= SIGNAL_NANOS) {
                    signalledAt = written;
                    signalledNanos = now;
                    lock.lock();
                    try {
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            }
        } finally {
            Thread.interrupted(); // a late watchdog interrupt must not hit the next operation
        }
    }

    private void publishSize(long announced) {
        if (announced < 0) {
            announced = target.upstream().headBlob(target.remoteName(), digest).map(d -> d.size()).orElseThrow(() ->
                    new UpstreamException(UpstreamException.Kind.PROTOCOL, "no size for blob " + digest));
        }
        if (announced > maxBlobSize) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, target.upstream().name() + " announced "
                    + announced + " bytes for blob " + digest + ", more than proxy.maxblobsize (" + maxBlobSize + ")");
        }
        size = announced; // published to readers by the state change below
        setState(State.RUNNING);
    }

    private void dropPeer(IOException e) {
        LOG.info("the instance filling blob {} stopped serving it at {} bytes ({}); fetching the rest from {}", digest,
                written, e.getMessage() == null ? e.toString() : e.getMessage(), target.upstream().name());
        peer = null;
        readingPeer = false;
    }

    private RegistryException fail(RegistryException e) {
        failure = e;
        setState(State.FAILED);
        deleteSpool();
        return e;
    }

    /** Moves to {@code s} and wakes every reader waiting for progress. */
    private void setState(State s) {
        lock.lock();
        try {
            state = s;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void deleteSpool() {
        spoolDeleted = true;
        try {
            Files.deleteIfExists(spool);
        } catch (IOException e) {
            LOG.warn("cannot delete spool file {}: {}", spool, e.toString());
        }
    }

    // ---- readers ----

    /** Waits until the size is known (or the fill failed) and returns it. */
    long awaitSize(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        lock.lock();
        try {
            while (state == State.STARTING) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new RegistryException(ErrorCode.UNAVAILABLE, "no answer from " + target.upstream().name()
                            + " for blob " + digest + " within " + limit.toSeconds() + "s");
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(ErrorCode.UNAVAILABLE, "interrupted waiting for blob " + digest);
        } finally {
            lock.unlock();
        }
        RuntimeException f = failure;
        if (f != null) {
            throw f;
        }
        return size;
    }

    /** Waits, at most {@code limit}, until the download is verified or has failed. */
    void awaitEnd(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        lock.lock();
        try {
            while (state != State.VERIFIED && state != State.FAILED) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** A channel over the spool from {@code offset}; null when the spool is already gone (committed). */
    @Nullable SpoolChannel reader(long offset) throws IOException {
        if (spoolDeleted) {
            return null;
        }
        try {
            return new SpoolChannel(this, FileChannel.open(spool, StandardOpenOption.READ), offset);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Blocks until bytes beyond {@code position} may be read, and returns how far reading may go
     * (the blob size when all is verified).
     *
     * @throws IOException when the fill failed: the response must be cut off
     */
    long readableLimit(long position) throws IOException {
        long waitingSince = System.nanoTime();
        long noProgressNanos = stallTimeout.toNanos() + 5_000_000_000L;
        lock.lock();
        try {
            while (true) {
                RuntimeException f = failure;
                if (f != null) {
                    throw new IOException("blob " + digest + " could not be fetched: " + f.getMessage(), f);
                }
                long limit = state == State.VERIFIED ? size : Math.max(0, Math.min(written, size - HOLD_BACK));
                if (limit > position || (state == State.VERIFIED && position >= size)) {
                    return limit;
                }
                if (System.nanoTime() - waitingSince > noProgressNanos && state != State.VERIFIED && written <= position) {
                    throw new IOException("blob " + digest + " made no progress");
                }
                changed.awaitNanos(RECHECK_NANOS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            lock.unlock();
        }
    }

    long size() {
        return size;
    }
}
