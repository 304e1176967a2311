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
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The registry over one storage driver, in distribution's layout ({@link PathSpec}), with what a
 * pull-through cache needs of it ({@link CacheStorage}). What storage said about blobs, manifests,
 * origins and which repositories hold content is kept in memory, so a warm lookup costs at most the
 * one storage call that opens the content.
 */
public final class DriverRegistry implements CacheStorage {
    /** Distribution's limit on a manifest body (4 MiB). */
    public static final int DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
    /** Distribution's default for {@code storage.cache.blobdescriptorsize}. */
    public static final int DEFAULT_DESCRIPTOR_CACHE_ENTRIES = 10_000;
    /**
     * How long a repository's recorded origin is trusted without looking at storage again: it
     * changes through this process (which updates it at once) or, on shared storage, through
     * another instance.
     */
    private static final long ORIGIN_RECHECK_NANOS = 10_000_000_000L;
    /** On a store other instances write, without Redis: how long a remembered link is believed. */
    static final java.time.Duration SHARED_LINK_TRUST = java.time.Duration.ofSeconds(10);
    private static final int MAX_REMEMBERED_REPOSITORIES = 10_000;

    private record KnownOrigin(Origin origin, long checkedNanos) {
    }

    private final StorageDriver driver;
    private final int maxManifestBytes;
    private final UploadHashes uploadHashes;
    private final ManifestCache manifestCache = new ManifestCache(32L * 1024 * 1024);
    private final DescriptorCache descriptors;
    private final ConcurrentHashMap<RepositoryName, KnownOrigin> origins = new ConcurrentHashMap<>();
    /** Repositories seen holding content: they keep it (only deleting whole directories would end it). */
    private final Set<RepositoryName> withContent = ConcurrentHashMap.newKeySet();
    /** Upload sessions started or resumed here and not yet committed, cancelled or purged here. */
    private final Set<String> openUploads = ConcurrentHashMap.newKeySet();

    public DriverRegistry(StorageDriver driver) {
        this(driver, DEFAULT_MAX_MANIFEST_BYTES, DEFAULT_DESCRIPTOR_CACHE_ENTRIES);
    }

    /**
     * @param descriptorCacheEntries how many blob sizes and repository links are kept in memory
     *        ({@code storage.cache.blobdescriptorsize}); 0 asks storage every time
     */
    public DriverRegistry(StorageDriver driver, int maxManifestBytes, int descriptorCacheEntries) {
        this(driver, maxManifestBytes, descriptorCacheEntries, SharedDescriptors.NONE);
    }

    /**
     * @param shared what the instances of a cluster share behind each one's memory
     *        ({@code storage.cache.blobdescriptor: redis})
     */
    public DriverRegistry(StorageDriver driver, int maxManifestBytes, int descriptorCacheEntries, SharedDescriptors shared) {
        this.driver = driver;
        this.maxManifestBytes = maxManifestBytes;
        // A store other processes write (s3) without announced removals: links are re-checked after a few seconds.
        this.descriptors = new DescriptorCache(descriptorCacheEntries, shared,
                driver.sharedByProcesses() && !shared.announcesRemovals() ? SHARED_LINK_TRUST : java.time.Duration.ZERO);
        this.uploadHashes = UploadHashes.forDriver(driver);
    }

    @Override
    public int maxManifestBytes() {
        return maxManifestBytes;
    }

    @Override
    public Repository repository(RepositoryName name) {
        LinkedBlobStore blobs = new LinkedBlobStore(driver, name, descriptors);
        DriverTagStore tags = new DriverTagStore(driver, name);
        DriverManifestStore manifests = new DriverManifestStore(driver, name, blobs, tags, maxManifestBytes, manifestCache,
                descriptors);
        DriverUploadStore uploads = new DriverUploadStore(driver, name, blobs, uploadHashes, openUploads);
        return new DriverRepository(this, name, blobs, manifests, tags, uploads);
    }

    // ---- support for caches: content is shared by all repositories, addressed by digest ----

    @Override
    public Optional<Descriptor> statContent(Digest digest) {
        return LinkedBlobStore.statContent(driver, descriptors, digest);
    }

    @Override
    public Optional<byte[]> content(Digest digest) {
        return StorageIo.ifExists("reading " + digest, () -> driver.getContent(PathSpec.pathFor(new PathSpec.BlobData(digest))));
    }

    @Override
    public Optional<Descriptor> linkBlob(RepositoryName name, Digest digest) {
        Optional<Descriptor> stored = statContent(digest);
        stored.ifPresent(d -> new LinkedBlobStore(driver, name, descriptors).link(digest));
        return stored;
    }

    @Override
    public Optional<java.time.Instant> tagModified(RepositoryName name, String tag) {
        return StorageIo.ifExists("reading tag " + tag, () -> driver.stat(PathSpec.pathFor(new PathSpec.TagCurrentLink(name, tag))))
                .map(io.hoard.storage.driver.FileInfo::modified);
    }

    @Override
    public Descriptor importVerified(RepositoryName name, Digest digest, java.nio.file.Path file) {
        long size = StorageIo.io("storing blob " + digest, () -> {
            long bytes = java.nio.file.Files.size(file);
            driver.importFile(file, PathSpec.pathFor(new PathSpec.BlobData(digest)));
            return bytes;
        });
        new LinkedBlobStore(driver, name, descriptors).linkStored(digest, size);
        return new Descriptor(digest, size, Descriptor.OCTET_STREAM);
    }

    /**
     * Upload sessions this process started or resumed that it has not yet seen committed, cancelled
     * or purged (a session another instance finishes counts here until it is purged).
     */
    public int openUploads() {
        return openUploads.size();
    }

    StorageDriver driver() {
        return driver;
    }

    DescriptorCache descriptors() {
        return descriptors;
    }

    /** Content deleted from storage (garbage collection): forgotten here and, in a cluster, by every instance. */
    public void forgetContent(Digest digest) {
        descriptors.contentGone(digest);
    }

    /** Kept in memory; storage is looked at again after a few seconds (another instance may have recorded it). */
    @Override
    public Origin origin(RepositoryName name) {
        KnownOrigin known = origins.get(name);
        if (known != null && System.nanoTime() - known.checkedNanos() < ORIGIN_RECHECK_NANOS) {
            return known.origin();
        }
        Optional<Origin> shared = descriptors.shared().origin(name);
        if (shared.isPresent()) {
            remember(name, shared.get());
            return shared.get();
        }
        Origin found = Origin.UNKNOWN;
        for (Origin o : List.of(Origin.LOCAL, Origin.CACHED)) {
            if (StorageIo.fileExists(driver, PathSpec.pathFor(new PathSpec.OriginMarker(name, o)))) {
                found = o;
                break;
            }
        }
        remember(name, found);
        if (found != Origin.UNKNOWN) {
            descriptors.shared().origin(name, found);
        }
        return found;
    }

    @Override
    public void markOrigin(RepositoryName name, Origin origin) {
        if (origin == Origin.UNKNOWN) {
            throw new IllegalArgumentException("nothing to record");
        }
        StorageIo.run("marking " + name + " " + origin, () -> driver.putContent(
                PathSpec.pathFor(new PathSpec.OriginMarker(name, origin)), new byte[0]));
        Origin other = origin == Origin.LOCAL ? Origin.CACHED : Origin.LOCAL;
        StorageIo.deleteIfExists(driver, PathSpec.pathFor(new PathSpec.OriginMarker(name, other)));
        remember(name, origin);
        descriptors.shared().origin(name, origin);
    }

    private void remember(RepositoryName name, Origin origin) {
        if (origins.size() >= MAX_REMEMBERED_REPOSITORIES) {
            origins.clear();
        }
        origins.put(name, new KnownOrigin(origin, System.nanoTime()));
    }

    /** Whether the repository holds content ({@code _manifests} or {@code _layers}); a yes is remembered. */
    @Override
    public boolean holdsContent(RepositoryName name) {
        if (withContent.contains(name)) {
            return true;
        }
        String root = PathSpec.pathFor(new PathSpec.RepositoryRoot(name));
        boolean holds = StorageIo.exists(driver, root + "/_manifests") || StorageIo.exists(driver, root + "/_layers");
        if (holds) {
            if (withContent.size() >= MAX_REMEMBERED_REPOSITORIES) {
                withContent.clear();
            }
            withContent.add(name);
        }
        return holds;
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
            old.forEach(path -> {
                uploadHashes.forget(StoragePaths.baseName(path));
                openUploads.remove(StoragePaths.baseName(path));
            });
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

    private record DriverRepository(DriverRegistry registry, RepositoryName name, BlobStore blobs, ManifestStore manifests,
            TagStore tags, UploadStore uploads) implements Repository {
        @Override
        public boolean exists() {
            return registry.holdsContent(name);
        }
    }
}
