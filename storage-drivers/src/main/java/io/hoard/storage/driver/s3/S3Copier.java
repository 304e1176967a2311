package io.hoard.storage.driver.s3;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Copies within the bucket and uploads local files, in parts when they are large: a move copies
 * with one {@code CopyObject} up to {@code multipartcopythresholdsize} and with parallel
 * {@code UploadPartCopy} calls of {@code multipartcopychunksize} above it (at most
 * {@code multipartcopymaxconcurrency} at once), as distribution's driver does.
 */
final class S3Copier {
    /** Parts of a local file uploaded at once: enough to fill a link, bounded so memory and sockets stay small. */
    private static final int UPLOAD_CONCURRENCY = 4;

    private final S3Driver driver;

    S3Copier(S3Driver driver) {
        this.driver = driver;
    }

    /** Copies the object at {@code from} ({@code size} bytes) to {@code to}. */
    void copy(String from, String to, long size) throws IOException {
        S3Clients clients = clients();
        String fromKey = driver.key(from);
        String toKey = driver.key(to);
        if (size <= driver.settings().multipartCopyThresholdSize()) {
            driver.call(from, "copying to " + to + ":", () -> driver.s3().copyObject(clients.copy(fromKey, toKey)));
            return;
        }
        String uploadId = driver.call(to, "starting a copy to", () -> driver.s3()
                .createMultipartUpload(clients.createMultipart(toKey)).uploadId());
        try {
            List<CompletedPart> parts = copyParts(from, uploadId, toKey, size, 1);
            complete(to, uploadId, parts);
        } catch (IOException | RuntimeException e) {
            abort(to, uploadId);
            throw e;
        }
    }

    /**
     * Copies the first {@code size} bytes of {@code from} into multipart upload {@code uploadId} as
     * parts numbered from {@code firstPart}. Every part is at least 5 MiB (a short tail joins the
     * part before it), so more parts may follow. {@code size} must be at least 5 MiB.
     */
    List<CompletedPart> copyParts(String from, String uploadId, String toKey, long size, int firstPart)
            throws IOException {
        long chunk = driver.settings().multipartCopyChunkSize();
        List<long[]> ranges = new ArrayList<>();
        for (long start = 0; start < size; start += chunk) {
            long end = Math.min(size, start + chunk);
            if (size - end < S3Settings.MIN_PART) {
                end = size; // the tail would be too small to be a part of its own
            }
            ranges.add(new long[] {start, end});
            if (end == size) {
                break;
            }
        }
        String fromKey = driver.key(from);
        return parallel(driver.settings().multipartCopyMaxConcurrency(), ranges.size(), i -> {
            long[] r = ranges.get(i);
            int number = firstPart + i;
            String etag = driver.call(from, "copying a part to " + toKey + " from", () -> driver.s3().uploadPartCopy(b -> b
                    .sourceBucket(driver.bucket()).sourceKey(fromKey).destinationBucket(driver.bucket())
                    .destinationKey(toKey).uploadId(uploadId).partNumber(number)
                    .copySourceRange("bytes=" + r[0] + "-" + (r[1] - 1))).copyPartResult().eTag());
            return CompletedPart.builder().partNumber(number).eTag(etag).build();
        });
    }

    /** Uploads the local file {@code source} ({@code size} bytes) to {@code path} as a multipart upload. */
    void upload(Path source, long size, String path) throws IOException {
        String key = driver.key(path);
        long chunk = driver.settings().chunkSize();
        int count = (int) ((size + chunk - 1) / chunk);
        String uploadId = driver.call(path, "starting an upload to", () -> driver.s3()
                .createMultipartUpload(clients().createMultipart(key)).uploadId());
        try {
            List<CompletedPart> parts = parallel(UPLOAD_CONCURRENCY, count, i -> {
                long start = i * chunk;
                long length = Math.min(chunk, size - start);
                ContentStreamProvider range = () -> rangeStream(source, start, length);
                String etag = driver.call(path, "uploading a part of", () -> driver.s3().uploadPart(b -> b
                        .bucket(driver.bucket()).key(key).uploadId(uploadId).partNumber(i + 1).contentLength(length),
                        RequestBody.fromContentProvider(range, length, "application/octet-stream")).eTag());
                return CompletedPart.builder().partNumber(i + 1).eTag(etag).build();
            });
            complete(path, uploadId, parts);
        } catch (IOException | RuntimeException e) {
            abort(path, uploadId);
            throw e;
        }
    }

    void complete(String path, String uploadId, List<CompletedPart> parts) throws IOException {
        driver.call(path, "completing an upload to", () -> driver.s3().completeMultipartUpload(b -> b
                .bucket(driver.bucket()).key(driver.key(path)).uploadId(uploadId)
                .multipartUpload(m -> m.parts(parts))));
    }

    void abort(String path, String uploadId) {
        try {
            driver.call(path, "aborting an upload to", () -> driver.s3().abortMultipartUpload(b -> b
                    .bucket(driver.bucket()).key(driver.key(path)).uploadId(uploadId)));
        } catch (IOException e) {
            // the bucket's lifecycle rule for incomplete uploads, if any, removes it later
        }
    }

    private S3Clients clients() {
        return driver.clients();
    }

    private static InputStream rangeStream(Path file, long start, long length) {
        try {
            FileChannel ch = FileChannel.open(file);
            ch.position(start);
            InputStream in = Channels.newInputStream(ch);
            return new java.io.FilterInputStream(in) {
                private long left = length;

                @Override
                public int read() throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int b = super.read();
                    if (b >= 0) {
                        left--;
                    }
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int n = super.read(buf, off, (int) Math.min(len, left));
                    if (n > 0) {
                        left -= n;
                    }
                    return n;
                }
            };
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @FunctionalInterface
    interface Part {
        CompletedPart run(int index) throws IOException;
    }

    /** Runs {@code count} parts on virtual threads, at most {@code limit} at once; the parts in order. */
    private static List<CompletedPart> parallel(int limit, int count, Part part) throws IOException {
        if (count == 1) {
            return List.of(part.run(0));
        }
        Semaphore permits = new Semaphore(limit);
        List<Future<CompletedPart>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(threads.submit(() -> {
                    permits.acquire();
                    try {
                        return part.run(index);
                    } finally {
                        permits.release();
                    }
                }));
            }
            List<CompletedPart> parts = new ArrayList<>();
            for (Future<CompletedPart> f : futures) {
                parts.add(f.get());
            }
            return parts;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while copying parts");
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        }
    }
}
