package io.hoard.storage.driver.s3;

import io.hoard.storage.driver.InvalidOffsetException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Reads an object from a position with one ranged GET ({@code Range: bytes=N-}), reopening at the
 * new position after a seek. The size comes from the first answer's {@code Content-Range}, so a
 * read costs one request, not a HEAD and a GET.
 */
final class S3ReadChannel implements SeekableByteChannel {
    private final S3Driver driver;
    private final String path;
    private final long size;
    private long position;
    private @Nullable ResponseInputStream<GetObjectResponse> body;
    private boolean open = true;

    private S3ReadChannel(S3Driver driver, String path, long size, long position,
            @Nullable ResponseInputStream<GetObjectResponse> body) {
        this.driver = driver;
        this.path = path;
        this.size = size;
        this.position = position;
        this.body = body;
    }

    static S3ReadChannel open(S3Driver driver, String path, long offset) throws IOException {
        try {
            ResponseInputStream<GetObjectResponse> body = get(driver, path, offset);
            return new S3ReadChannel(driver, path, totalSize(body.response(), offset), offset, body);
        } catch (InvalidOffsetException atOrPastEnd) {
            // 416: the offset is at the end (an empty object, or a resumed read that is done) or past it.
            long size = driver.head(path).contentLength();
            if (offset != size) {
                throw new InvalidOffsetException(path, offset);
            }
            return new S3ReadChannel(driver, path, size, offset, null);
        }
    }

    private static ResponseInputStream<GetObjectResponse> get(S3Driver driver, String path, long offset)
            throws IOException {
        return driver.call(path, "reading", () -> driver.s3().getObject(b -> b.bucket(driver.bucket())
                .key(driver.key(path)).range("bytes=" + offset + "-")));
    }

    private static long totalSize(GetObjectResponse r, long offset) {
        String range = r.contentRange(); // bytes first-last/total
        if (range != null && range.lastIndexOf('/') > 0) {
            String total = range.substring(range.lastIndexOf('/') + 1).trim();
            if (!total.equals("*")) {
                return Long.parseLong(total);
            }
        }
        return offset + r.contentLength(); // a store that ignored the range sends everything from 0 with offset 0
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        if (position >= size) {
            return -1;
        }
        if (body == null) {
            body = get(driver, path, position);
        }
        InputStream in = body;
        int n;
        try {
            if (dst.hasArray()) {
                n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
                if (n > 0) {
                    dst.position(dst.position() + n);
                }
            } else {
                byte[] chunk = new byte[Math.min(dst.remaining(), 64 * 1024)];
                n = in.read(chunk);
                if (n > 0) {
                    dst.put(chunk, 0, n);
                }
            }
        } catch (IOException e) {
            closeBody();
            throw new io.hoard.storage.driver.StorageUnavailableException(
                    "s3 reading " + path + " at " + position + ": " + e.getMessage(), path);
        }
        if (n < 0) {
            closeBody();
            throw new io.hoard.storage.driver.StorageUnavailableException(
                    "s3 ended " + path + " at " + position + " of " + size + " bytes", path);
        }
        position += n;
        return n;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws IOException {
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position " + newPosition);
        }
        if (newPosition != position) {
            closeBody();
            position = newPosition;
        }
        return this;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public SeekableByteChannel truncate(long s) {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
        closeBody();
    }

    /** Drops the connection of a body not read to its end rather than draining it. */
    private void closeBody() {
        if (body != null) {
            if (position < size) {
                body.abort();
            }
            try {
                body.close();
            } catch (IOException ignored) {
                // the connection is dropped either way
            }
            body = null;
        }
    }
}
