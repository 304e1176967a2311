package io.hoard.storage;

import io.hoard.storage.driver.FileInfo;
import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StoragePaths;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes upload sessions older than a given age ({@code storage.maintenance.uploadpurging}), so
 * abandoned pushes do not fill the disk. Sessions whose start time cannot be read are judged by
 * the directory's modification time.
 */
public final class UploadPurger {
    private static final Logger LOG = LoggerFactory.getLogger(UploadPurger.class);

    private final StorageDriver driver;

    public UploadPurger(StorageDriver driver) {
        this.driver = driver;
    }

    /**
     * Deletes (or with {@code dryRun} only lists) every session started before {@code now - age}.
     *
     * @return the upload directories found too old
     */
    public List<String> purge(Duration age, Instant now, boolean dryRun) {
        Instant cutoff = now.minus(age);
        List<FileInfo> sessions = new ArrayList<>();
        StorageIo.ifExists("walking uploads", () -> {
            driver.walk(PathSpec.REPOSITORIES, info -> {
                if (info.directory() && StoragePaths.baseName(StoragePaths.parent(info.path())).equals("_uploads")) {
                    sessions.add(info);
                }
            });
            return true;
        });
        List<String> old = new ArrayList<>();
        for (FileInfo session : sessions) {
            if (startedAt(session).isBefore(cutoff)) {
                old.add(session.path());
                if (!dryRun) {
                    StorageIo.deleteIfExists(driver, session.path());
                }
            }
        }
        if (!old.isEmpty()) {
            LOG.info("{} {} upload session(s) older than {}", dryRun ? "would purge" : "purged", old.size(), age);
        }
        return old;
    }

    private Instant startedAt(FileInfo session) {
        return StorageIo.ifExists("reading " + session.path(), () -> driver.getContent(session.path() + "/startedat"))
                .map(bytes -> {
                    try {
                        return Instant.parse(new String(bytes, StandardCharsets.US_ASCII).trim());
                    } catch (DateTimeParseException e) {
                        return session.modified();
                    }
                })
                .orElse(session.modified());
    }
}
