package io.hoard.storage.driver.s3;

import io.hoard.storage.driver.FileInfo;
import io.hoard.storage.driver.FileWriter;
import io.hoard.storage.driver.InvalidOffsetException;
import io.hoard.storage.driver.PathNotFoundException;
import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StorageDriverException;
import io.hoard.storage.driver.StorageUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code storage.s3}: files are objects under {@code rootdirectory} in one bucket, keyed exactly as
 * distribution's s3 driver keys them ({@code <root>/docker/registry/v2/...}), so a bucket written by
 * one is read by the other. Directories exist only as key prefixes. Whole-file writes are single
 * PUTs, streamed writes multipart uploads ({@link S3Writer}), moves copy then delete
 * ({@link S3Copier}), reads at an offset are ranged GETs ({@link S3ReadChannel}). Every call blocks;
 * callers run it on virtual threads. The SDK retries throttling and server errors within bounds;
 * what still fails becomes a {@link StorageUnavailableException}.
 */
public final class S3Driver implements StorageDriver {
    public static final String NAME = "s3";
    /** How long a redirect URL stays valid (distribution's 20 minutes). */
    static final Duration REDIRECT_VALIDITY = Duration.ofMinutes(20);
    private static final int DELETE_BATCH = 1000;

    private final S3Clients clients;
    private final S3Settings settings;
    private final S3Copier copier;

    S3Driver(S3Clients clients) {
        this.clients = clients;
        this.settings = clients.settings();
        this.copier = new S3Copier(this);
    }

    @Override
    public String name() {
        return NAME;
    }

    S3Client s3() {
        return clients.s3();
    }

    S3Settings settings() {
        return settings;
    }

    S3Clients clients() {
        return clients;
    }

    S3Copier copier() {
        return copier;
    }

    String bucket() {
        return settings.bucket();
    }

    /** The object key of a file path. */
    String key(String path) {
        return settings.rootDirectory().isEmpty() ? path.substring(1) : settings.rootDirectory() + path;
    }

    /** The key prefix of everything below a directory path, ending in {@code /} unless it is the bucket root. */
    private String prefix(String dir) {
        if (dir.equals("/")) {
            return settings.rootDirectory().isEmpty() ? "" : settings.rootDirectory() + "/";
        }
        return key(dir) + "/";
    }

    private String pathOf(String key) {
        return settings.rootDirectory().isEmpty() ? "/" + key : key.substring(settings.rootDirectory().length());
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        return call(path, "reading", () -> s3().getObjectAsBytes(b -> b.bucket(bucket()).key(key(path))).asByteArray());
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        call(path, "writing", () -> s3().putObject(clients.put(key(path)), RequestBody.fromBytes(content)));
    }

    @Override
    public SeekableByteChannel reader(String path, long offset) throws IOException {
        return S3ReadChannel.open(this, path, offset);
    }

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        return S3Writer.open(this, path, append);
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        if (path.equals("/")) {
            return new FileInfo(path, 0, Instant.EPOCH, true);
        }
        try {
            HeadObjectResponse head = head(path);
            return new FileInfo(path, head.contentLength(), head.lastModified(), false);
        } catch (PathNotFoundException notAFile) {
            ListObjectsV2Response below = call(path, "listing",
                    () -> s3().listObjectsV2(b -> b.bucket(bucket()).prefix(prefix(path)).maxKeys(10)));
            S3Object file = below.contents().stream().filter(o -> !isFolderMarker(o)).findFirst()
                    .orElseThrow(() -> notAFile);
            return new FileInfo(path, 0, file.lastModified(), true);
        }
    }

    /** One HEAD: a missing key is not looked up as a prefix. */
    @Override
    public boolean isFile(String path) throws IOException {
        try {
            head(path);
            return true;
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    HeadObjectResponse head(String path) throws IOException {
        return call(path, "reading", () -> s3().headObject(b -> b.bucket(bucket()).key(key(path))));
    }

    @Override
    public List<String> list(String path) throws IOException {
        String prefix = prefix(path);
        List<String> children = new ArrayList<>();
        run(path, "listing", () -> {
            ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket()).prefix(prefix).delimiter("/")
                    .build();
            for (ListObjectsV2Response page : s3().listObjectsV2Paginator(request)) {
                for (S3Object o : page.contents()) {
                    if (!isFolderMarker(o)) {
                        children.add(pathOf(o.key()));
                    }
                }
                for (CommonPrefix p : page.commonPrefixes()) {
                    children.add(pathOf(p.prefix().substring(0, p.prefix().length() - 1)));
                }
            }
        });
        if (children.isEmpty() && !path.equals("/")) {
            throw new PathNotFoundException(path);
        }
        return children;
    }

    /**
     * A key ending in {@code /}: an empty "folder" that consoles and some stores (S3Proxy's
     * filesystem backend) show. Never a file of ours: paths cannot end in a slash.
     */
    private static boolean isFolderMarker(S3Object o) {
        return o.key().endsWith("/");
    }

    @Override
    public void move(String from, String to) throws IOException {
        copier.copy(from, to, head(from).contentLength());
        call(from, "deleting", () -> s3().deleteObject(b -> b.bucket(bucket()).key(key(from))));
    }

    @Override
    public void delete(String path) throws IOException {
        String exact = key(path);
        String below = exact + "/";
        List<ObjectIdentifier> batch = new ArrayList<>();
        boolean[] found = {false};
        run(path, "deleting", () -> {
            // Listed with the bare key as prefix, as distribution does, then filtered: /a/bc is not below /a/b.
            ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket()).prefix(exact).build();
            for (ListObjectsV2Response page : s3().listObjectsV2Paginator(request)) {
                for (S3Object o : page.contents()) {
                    if (!isFolderMarker(o) && (o.key().equals(exact) || o.key().startsWith(below))) {
                        found[0] = true;
                        batch.add(ObjectIdentifier.builder().key(o.key()).build());
                        if (batch.size() == DELETE_BATCH) {
                            deleteBatch(path, batch);
                        }
                    }
                }
            }
            if (!batch.isEmpty()) {
                deleteBatch(path, batch);
            }
        });
        if (!found[0]) {
            throw new PathNotFoundException(path);
        }
    }

    private void deleteBatch(String path, List<ObjectIdentifier> batch) throws StorageDriverException {
        DeleteObjectsResponse response = s3().deleteObjects(b -> b.bucket(bucket())
                .delete(Delete.builder().objects(List.copyOf(batch)).quiet(true).build()));
        batch.clear();
        if (response.hasErrors() && !response.errors().isEmpty()) {
            var error = response.errors().get(0);
            throw new StorageDriverException("s3 could not delete " + response.errors().size() + " objects below " + path
                    + ", first " + error.key() + ": " + error.code() + " " + error.message(), path);
        }
    }

    /**
     * Keys come back sorted, and every key below one prefix is contiguous in that order, so keeping
     * the chain of directories of the last key is enough to report each directory once, before its
     * children, without holding the listing in memory.
     */
    @Override
    public void walk(String path, Consumer<FileInfo> visitor) throws IOException {
        String prefix = prefix(path);
        Deque<String> chain = new ArrayDeque<>();
        boolean[] any = {false};
        run(path, "listing", () -> {
            ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket()).prefix(prefix).build();
            for (ListObjectsV2Response page : s3().listObjectsV2Paginator(request)) {
                for (S3Object o : page.contents()) {
                    if (isFolderMarker(o)) {
                        continue;
                    }
                    any[0] = true;
                    String file = pathOf(o.key());
                    String base = path.equals("/") ? "" : path;
                    while (!chain.isEmpty() && !file.startsWith(chain.peekLast() + "/")) {
                        chain.removeLast();
                    }
                    int from = chain.isEmpty() ? base.length() + 1 : chain.peekLast().length() + 1;
                    for (int slash = file.indexOf('/', from); slash > 0; slash = file.indexOf('/', slash + 1)) {
                        String dir = file.substring(0, slash);
                        chain.addLast(dir);
                        visitor.accept(new FileInfo(dir, 0, o.lastModified(), true));
                    }
                    visitor.accept(new FileInfo(file, o.size(), o.lastModified(), false));
                }
            }
        });
        if (!any[0] && !path.equals("/")) {
            throw new PathNotFoundException(path);
        }
    }

    @Override
    public void importFile(Path source, String path) throws IOException {
        long size = Files.size(source);
        if (size <= settings.chunkSize()) {
            call(path, "writing", () -> s3().putObject(clients.put(key(path)), RequestBody.fromFile(source)));
        } else {
            copier.upload(source, size, path);
        }
        Files.deleteIfExists(source);
    }

    /** A bucket is meant to be shared: several instances, or distribution beside Hoard. */
    @Override
    public boolean sharedByProcesses() {
        return true;
    }

    @Override
    public boolean offersRedirects() {
        return true;
    }

    @Override
    public Optional<URI> redirectUrl(String path) throws IOException {
        try {
            return Optional.of(clients.presign(key(path), REDIRECT_VALIDITY).toURI());
        } catch (URISyntaxException | SdkException e) {
            throw new StorageDriverException("s3 could not sign a URL for " + path + ": " + e.getMessage(), path);
        }
    }

    /** Checks that the bucket exists and the credentials may use it: the start-up check. */
    void checkBucket() throws IOException {
        call("/", "listing", () -> s3().listObjectsV2(b -> b.bucket(bucket()).maxKeys(1)));
    }

    @FunctionalInterface
    interface S3Call<T> {
        T call() throws IOException;
    }

    @FunctionalInterface
    interface S3Run {
        void run() throws IOException;
    }

    void run(String path, String action, S3Run run) throws IOException {
        call(path, action, () -> {
            run.run();
            return Boolean.TRUE;
        });
    }

    /**
     * Runs an SDK call, turning its exceptions into the driver's: 404 is a missing path, 416 an
     * offset beyond the end, network failures, throttling and 5xx (after the SDK's retries) the store
     * being unavailable, anything else (403, a missing bucket) a failure naming S3's code.
     */
    <T> T call(String path, String action, S3Call<T> call) throws IOException {
        try {
            return call.call();
        } catch (SdkServiceException e) {
            throw translate(path, action, e);
        } catch (SdkException e) {
            throw new StorageUnavailableException(
                    "s3 " + action + " " + path + " in bucket " + bucket() + ": " + e.getMessage(), path);
        }
    }

    StorageDriverException translate(String path, String action, SdkServiceException e) {
        int status = e.statusCode();
        if (status == 404 && !isBucketMissing(e)) {
            return new PathNotFoundException(path);
        }
        if (status == 416) {
            return new InvalidOffsetException(path, -1);
        }
        String what = "s3 " + action + " " + path + " in bucket " + bucket() + ": " + describe(e);
        if (status >= 500 || status == 429 || e.isThrottlingException()) {
            return new StorageUnavailableException(what, path);
        }
        return new StorageDriverException(what, path);
    }

    private static boolean isBucketMissing(SdkServiceException e) {
        return e instanceof software.amazon.awssdk.services.s3.model.NoSuchBucketException
                || (e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException a
                        && a.awsErrorDetails() != null && "NoSuchBucket".equals(a.awsErrorDetails().errorCode()));
    }

    static String describe(SdkServiceException e) {
        if (e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException a && a.awsErrorDetails() != null) {
            String code = a.awsErrorDetails().errorCode();
            String message = a.awsErrorDetails().errorMessage();
            return e.statusCode() + " " + (code == null ? "" : code) + (message == null ? "" : " (" + message + ")");
        }
        return e.statusCode() + " " + e.getMessage();
    }

    /** Closes the SDK clients. */
    public void close() {
        clients.close();
    }
}
