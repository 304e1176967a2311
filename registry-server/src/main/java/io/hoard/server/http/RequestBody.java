package io.hoard.server.http;

import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A request body handed from the event loop to the virtual thread that handles the request.
 * The event loop {@link #offer}s chunks; when more than {@link #HIGH_WATER} bytes wait, reading
 * from the socket pauses until the handler has consumed them below {@link #LOW_WATER}, so a fast
 * client cannot fill memory faster than storage takes it.
 */
public final class RequestBody {
    static final long HIGH_WATER = 2L * 1024 * 1024;
    static final long LOW_WATER = 512L * 1024;
    private static final Object END = new Object();

    private final LinkedBlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private final Runnable pauseReading;
    private final Runnable resumeReading;
    private final Duration idleTimeout;
    private volatile boolean complete;
    private volatile boolean paused;
    private boolean ended;
    private boolean discarded;

    RequestBody(Runnable pauseReading, Runnable resumeReading, Duration idleTimeout) {
        this.pauseReading = pauseReading;
        this.resumeReading = resumeReading;
        this.idleTimeout = idleTimeout;
    }

    /** A body that is already complete and empty. */
    static RequestBody empty() {
        RequestBody body = new RequestBody(() -> { }, () -> { }, Duration.ZERO);
        body.chunks.add(END);
        body.complete = true;
        return body;
    }

    // ---- event loop side ----

    synchronized void offer(HttpContent content) {
        if (discarded) {
            return;
        }
        ByteBuf buf = content.content();
        if (buf.isReadable()) {
            chunks.add(buf.retain());
            if (queued.addAndGet(buf.readableBytes()) > HIGH_WATER && !paused) {
                paused = true;
                pauseReading.run();
            }
        }
        if (content instanceof LastHttpContent) {
            complete = true;
            chunks.add(END);
        }
    }

    synchronized void fail(String why) {
        chunks.add(new ClientGoneException(why));
    }

    /** True once the whole body has arrived from the client. */
    boolean isComplete() {
        return complete;
    }

    /** Releases whatever is still queued (the request is over). */
    synchronized void discard() {
        discarded = true;
        for (Object o; (o = chunks.poll()) != null; ) {
            if (o instanceof ByteBuf b) {
                b.release();
            }
        }
    }

    // ---- handler side (virtual thread) ----

    /**
     * Feeds every remaining byte of the body to {@code sink}, in order.
     *
     * @return the number of bytes fed
     * @throws ClientGoneException when the client disconnects or goes quiet before the end
     */
    public long transferTo(Consumer<ByteBuffer> sink) throws ClientGoneException {
        long total = 0;
        for (ByteBuf buf; (buf = next()) != null; ) {
            try {
                total += buf.readableBytes();
                for (ByteBuffer nio : buf.nioBuffers()) {
                    sink.accept(nio);
                }
            } finally {
                buf.release();
            }
        }
        return total;
    }

    /**
     * The whole body, which must be at most {@code max} bytes.
     *
     * @throws RegistryException {@code SIZE_INVALID} with status 413 when it is longer
     */
    public byte[] readAll(int max, String what) throws ClientGoneException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (ByteBuf buf; (buf = next()) != null; ) {
            try {
                if (out.size() + (long) buf.readableBytes() > max) {
                    throw new RegistryException(ErrorCode.SIZE_INVALID,
                            "%s is larger than the limit of %d bytes".formatted(what, max)).withStatus(413);
                }
                buf.readBytes(out, buf.readableBytes());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e); // ByteArrayOutputStream does not fail
            } finally {
                buf.release();
            }
        }
        return out.toByteArray();
    }

    private @Nullable ByteBuf next() throws ClientGoneException {
        if (ended) {
            return null;
        }
        Object o;
        try {
            o = idleTimeout.isZero() ? chunks.take() : chunks.poll(idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientGoneException("interrupted while reading the request body");
        }
        if (o == null) {
            throw new ClientGoneException("the client sent no request body data for " + idleTimeout.toSeconds() + "s");
        }
        if (o == END) {
            ended = true;
            return null;
        }
        if (o instanceof ClientGoneException e) {
            ended = true;
            throw e;
        }
        ByteBuf buf = (ByteBuf) o;
        if (queued.addAndGet(-buf.readableBytes()) < LOW_WATER && paused) {
            paused = false;
            resumeReading.run();
        }
        return buf;
    }
}
