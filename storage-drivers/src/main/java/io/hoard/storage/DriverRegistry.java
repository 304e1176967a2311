package io.hoard.storage;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.RepositoryName;
import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StoragePaths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/** The registry over one storage driver, in distribution's layout ({@link PathSpec}). */
public final class DriverRegistry implements Registry {
    /** Distribution's limit on a manifest body (4 MiB). */
    public static final int DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

    private final StorageDriver driver;
    private final int maxManifestBytes;
    private final Map<String, DriverUpload.HashState> uploadHashes = new ConcurrentHashMap<>();
    private final ManifestCache manifestCache = new ManifestCache(32L * 1024 * 1024);

    public DriverRegistry(StorageDriver driver) {
        this(driver, DEFAULT_MAX_MANIFEST_BYTES);
    }

    public DriverRegistry(StorageDriver driver, int maxManifestBytes) {
        this.driver = driver;
        this.maxManifestBytes = maxManifestBytes;
    }

    /** The largest manifest body accepted, in bytes. */
    public int maxManifestBytes() {
        return maxManifestBytes;
    }

    @Override
    public Repository repository(RepositoryName name) {
        LinkedBlobStore blobs = new LinkedBlobStore(driver, name);
        DriverTagStore tags = new DriverTagStore(driver, name);
        DriverManifestStore manifests = new DriverManifestStore(driver, name, blobs, tags, maxManifestBytes, manifestCache);
        DriverUploadStore uploads = new DriverUploadStore(driver, name, blobs, uploadHashes);
        return new DriverRepository(driver, name, blobs, manifests, tags, uploads);
    }

    // ---- support for caches: content is shared by all repositories, addressed by digest ----

    /** Stored content with this digest, whichever repository it came through. */
    public Optional<Descriptor> statContent(Digest digest) {
        return StorageIo.ifExists("reading " + digest, () -> driver.stat(PathSpec.pathFor(new PathSpec.BlobData(digest))))
                .filter(info -> !info.directory())
                .map(info -> new Descriptor(digest, info.size(), Descriptor.OCTET_STREAM));
    }

    /** The bytes of stored content with this digest (meant for manifests: small). */
    public Optional<byte[]> content(Digest digest) {
        return StorageIo.ifExists("reading " + digest, () -> driver.getContent(PathSpec.pathFor(new PathSpec.BlobData(digest))));
    }

    /** Links stored content into a repository's blobs; empty when no content has that digest. */
    public Optional<Descriptor> linkBlob(RepositoryName name, Digest digest) {
        Optional<Descriptor> stored = statContent(digest);
        stored.ifPresent(d -> new LinkedBlobStore(driver, name).link(digest));
        return stored;
    }

    /** When the tag was last written (or confirmed by a cache), if it exists. */
    public Optional<java.time.Instant> tagModified(RepositoryName name, String tag) {
        return StorageIo.ifExists("reading tag " + tag, () -> driver.stat(PathSpec.pathFor(new PathSpec.TagCurrentLink(name, tag))))
                .map(io.hoard.storage.driver.FileInfo::modified);
    }

    /**
     * Stores a local file whose digest the caller has verified (a cache fill's spool) as the content
     * for {@code digest}, consuming the file, and links it into {@code name}.
     */
    public Descriptor importVerified(RepositoryName name, Digest digest, java.nio.file.Path file) {
        StorageIo.run("storing blob " + digest, () -> driver.importFile(file, PathSpec.pathFor(new PathSpec.BlobData(digest))));
        new LinkedBlobStore(driver, name).link(digest);
        return statContent(digest).orElseThrow();
    }

    /** Where the repository's content comes from, as recorded by {@link #markOrigin}. */
    public Origin origin(RepositoryName name) {
        for (Origin o : List.of(Origin.LOCAL, Origin.CACHED)) {
            if (StorageIo.exists(driver, PathSpec.pathFor(new PathSpec.OriginMarker(name, o)))) {
                return o;
            }
        }
        return Origin.UNKNOWN;
    }

    /** Records where the repository's content comes from, replacing what was recorded. */
    public void markOrigin(RepositoryName name, Origin origin) {
        if (origin == Origin.UNKNOWN) {
            throw new IllegalArgumentException("nothing to record");
        }
        StorageIo.run("marking " + name + " " + origin, () -> driver.putContent(
                PathSpec.pathFor(new PathSpec.OriginMarker(name, origin)), new byte[0]));
        Origin other = origin == Origin.LOCAL ? Origin.CACHED : Origin.LOCAL;
        StorageIo.deleteIfExists(driver, PathSpec.pathFor(new PathSpec.OriginMarker(name, other)));
    }

    /**
     * Removes upload sessions started before {@code now - age} (see {@link UploadPurger}) and
     * forgets their in-memory hash state.
     *
     * @return the session directories found too old
     */
    public List<String> purgeUploads(java.time.Duration age, java.time.Instant now, boolean dryRun) {
        List<String> old = new UploadPurger(driver).purge(age, now, dryRun);
        if (!dryRun) {
            old.forEach(path -> uploadHashes.remove(StoragePaths.baseName(path)));
        }
        return old;
    }

    /**
     * Walks {@code repositories/}: a directory is a repository when it has {@code _manifests} or
     * {@code _layers}; names may nest ({@code a/b} and {@code a/b/c}), and {@code _}-directories are
     * never descended into.
     */
    @Override
    public List<String> catalog(int n, @Nullable String last) {
        TreeSet<String> names = new TreeSet<>();
        collect(PathSpec.REPOSITORIES, "", names);
        List<String> page = new ArrayList<>();
        for (String name : last == null ? names : names.tailSet(last, false)) {
            if (page.size() >= n) {
                break;
            }
            page.add(name);
        }
        return page;
    }

    private void collect(String dir, String prefix, TreeSet<String> names) {
        List<String> children = StorageIo.ifExists("listing repositories", () -> driver.list(dir)).orElse(List.of());
        for (String child : children) {
            String base = StoragePaths.baseName(child);
            if (base.equals("_manifests") || base.equals("_layers")) {
                names.add(prefix.substring(0, prefix.length() - 1));
            } else if (!base.startsWith("_")) {
                collect(child, prefix + base + "/", names);
            }
        }
    }

    private record DriverRepository(StorageDriver driver, RepositoryName name, BlobStore blobs, ManifestStore manifests,
            TagStore tags, UploadStore uploads) implements Repository {
        @Override
        public boolean exists() {
            String root = PathSpec.pathFor(new PathSpec.RepositoryRoot(name));
            return StorageIo.exists(driver, root + "/_manifests") || StorageIo.exists(driver, root + "/_layers");
        }
    }
}
