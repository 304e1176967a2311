package io.hoard.storage;

import static io.hoard.storage.PathSpec.pathFor;

import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.storage.driver.StorageDriver;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Upload sessions under {@code _uploads/<id>/}: {@code startedat} says when, {@code data} holds
 * the bytes received so far. The running sha256 of each session is kept between its requests
 * ({@link UploadHashes}) so a commit does not re-read the data.
 */
final class DriverUploadStore implements UploadStore {
    private static final Pattern UPLOAD_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final StorageDriver driver;
    private final RepositoryName name;
    private final LinkedBlobStore blobs;
    private final UploadHashes hashStates;
    private final java.util.Set<String> open;

    /** @param open the ids of the sessions this process has open (started or resumed, not yet ended) */
    DriverUploadStore(StorageDriver driver, RepositoryName name, LinkedBlobStore blobs, UploadHashes hashStates,
            java.util.Set<String> open) {
        this.open = open;
        this.driver = driver;
        this.name = name;
        this.blobs = blobs;
        this.hashStates = hashStates;
    }

    @Override
    public Upload start() {
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        StorageIo.run("starting an upload in " + name, () -> {
            driver.putContent(pathFor(new PathSpec.UploadData(name, id)), new byte[0]);
            driver.putContent(pathFor(new PathSpec.UploadStartedAt(name, id)),
                    now.toString().getBytes(StandardCharsets.US_ASCII));
        });
        open.add(id);
        return new DriverUpload(driver, name, blobs, hashStates, id, 0, open);
    }

    @Override
    public Upload resume(String id) {
        if (!UPLOAD_ID.matcher(id).matches()) {
            throw unknown(id);
        }
        if (!StorageIo.fileExists(driver, pathFor(new PathSpec.UploadStartedAt(name, id)))) {
            throw unknown(id);
        }
        long size = StorageIo.ifExists("reading upload " + id, () -> driver.stat(pathFor(new PathSpec.UploadData(name, id))))
                .orElseThrow(() -> unknown(id)).size();
        open.add(id);
        return new DriverUpload(driver, name, blobs, hashStates, id, size, open);
    }

    private RegistryException unknown(String id) {
        return new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload '" + abbreviate(id)
                + "' is not in progress in repository " + name);
    }

    private static String abbreviate(String id) {
        return id.length() > 64 ? id.substring(0, 64) + "..." : id;
    }
}
