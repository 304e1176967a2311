package io.hoard.storage.driver.s3;

import io.hoard.storage.driver.FileWriter;
import io.hoard.storage.driver.PathNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Streams a file into S3 with bounded memory: bytes go to a local spool file of at most
 * {@code chunksize}, which becomes one part of a multipart upload when full. A file that never
 * fills a part is one PUT.
 *
 * <p>{@link #close()} completes the upload just like {@link #commit()}: the object then holds what
 * was written, in the bucket, so any instance can continue it. {@code writer(path, true)} continues
 * an object: a small one (under 5 MiB, S3's least part) is read back into the spool; a larger one
 * becomes the first parts of a new multipart upload by server-side {@code UploadPartCopy}, so its
 * bytes never travel through Hoard again. That is how a chunked V2 upload whose PATCHes land on
 * different instances, or span a restart, keeps growing one object.
 */
final class S3Writer implements FileWriter {
    private final S3Driver driver;
    private final String path;
    private final String key;
    private final Path spoolFile;
    private final FileChannel spool;
    private final List<CompletedPart> parts = new ArrayList<>();
    private @Nullable String uploadId;
    private long size;
    private boolean done;

    private S3Writer(S3Driver driver, String path) throws IOException {
        this.driver = driver;
        this.path = path;
        this.key = driver.key(path);
        this.spoolFile = Files.createTempFile("hoard-s3-part-", ".spool");
        this.spool = FileChannel.open(spoolFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    static S3Writer open(S3Driver driver, String path, boolean append) throws IOException {
        S3Writer w = new S3Writer(driver, path);
        try {
            if (append) {
                w.continueExisting();
            }
            return w;
        } catch (IOException | RuntimeException e) {
            w.dropSpool();
            throw e;
        }
    }

    private void continueExisting() throws IOException {
        long existing;
        try {
            existing = driver.head(path).contentLength();
        } catch (PathNotFoundException nothingYet) {
            return;
        }
        if (existing < S3Settings.MIN_PART) {
            ByteBuffer small = ByteBuffer.wrap(driver.getContent(path)); // under 5 MiB
            while (small.hasRemaining()) {
                spool.write(small);
            }
            existing = spool.size();
        } else {
            startUpload();
            parts.addAll(driver.copier().copyParts(path, uploadId(), key, existing, 1));
        }
        size = existing;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (done) {
            throw new ClosedChannelException();
        }
        int total = src.remaining();
        long chunk = driver.settings().chunkSize();
        while (src.hasRemaining()) {
            long room = chunk - spool.size();
            ByteBuffer slice = src.slice(src.position(), (int) Math.min(room, src.remaining()));
            int n = 0;
            while (slice.hasRemaining()) {
                n += spool.write(slice, spool.size());
            }
            src.position(src.position() + n);
            if (spool.size() >= chunk) {
                flushPart();
            }
        }
        size += total;
        return total;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean isOpen() {
        return !done;
    }

    @Override
    public void commit() throws IOException {
        if (done) {
            throw new IOException("writer of " + path + " is already closed");
        }
        finish();
    }

    /** Keeps what was written: the object is complete in the bucket and can be continued. */
    @Override
    public void close() throws IOException {
        if (!done) {
            finish();
        }
    }

    @Override
    public void cancel() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            if (uploadId != null) {
                driver.copier().abort(path, uploadId);
            }
            try {
                driver.call(path, "deleting", () -> driver.s3().deleteObject(b -> b.bucket(driver.bucket()).key(key)));
            } catch (PathNotFoundException gone) {
                // nothing was there
            }
        } finally {
            dropSpool();
        }
    }

    private void finish() throws IOException {
        done = true;
        try {
            if (uploadId == null) {
                driver.call(path, "writing", () -> driver.s3().putObject(driver.clients().put(key),
                        RequestBody.fromFile(spoolFile)));
            } else {
                if (spool.size() > 0 || parts.isEmpty()) {
                    flushPart();
                }
                driver.copier().complete(path, uploadId, parts);
            }
        } catch (IOException | RuntimeException e) {
            if (uploadId != null) {
                driver.copier().abort(path, uploadId);
            }
            throw e;
        } finally {
            dropSpool();
        }
    }

    private void flushPart() throws IOException {
        if (uploadId == null) {
            startUpload();
        }
        String id = uploadId();
        int number = parts.size() + 1;
        long length = spool.size();
        String etag = driver.call(path, "uploading a part of", () -> driver.s3().uploadPart(b -> b.bucket(driver.bucket())
                .key(key).uploadId(id).partNumber(number).contentLength(length), RequestBody.fromFile(spoolFile)).eTag());
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
        spool.truncate(0);
    }

    private void startUpload() throws IOException {
        uploadId = driver.call(path, "starting an upload to", () -> driver.s3()
                .createMultipartUpload(driver.clients().createMultipart(key)).uploadId());
    }

    private String uploadId() {
        if (uploadId == null) {
            throw new IllegalStateException("no multipart upload started");
        }
        return uploadId;
    }

    private void dropSpool() {
        try {
            spool.close();
            Files.deleteIfExists(spoolFile);
        } catch (IOException ignored) {
            // a temporary file; the OS cleans its temp directory
        }
    }
}
