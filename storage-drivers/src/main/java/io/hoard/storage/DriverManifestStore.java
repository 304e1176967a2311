package io.hoard.storage;

import static io.hoard.storage.PathSpec.pathFor;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.DigestAlgorithm;
import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StoragePaths;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Manifests are blobs (content under {@code blobs/}) linked through {@code _manifests/revisions};
 * a manifest with a {@code subject} is also linked under {@code _referrers/<subject>}.
 */
final class DriverManifestStore implements ManifestStore {
    private final StorageDriver driver;
    private final RepositoryName name;
    private final LinkedBlobStore blobs;
    private final DriverTagStore tags;
    private final int maxManifestBytes;
    private final ManifestCache cache;
    private final DescriptorCache links;

    DriverManifestStore(StorageDriver driver, RepositoryName name, LinkedBlobStore blobs, DriverTagStore tags,
            int maxManifestBytes, ManifestCache cache, DescriptorCache links) {
        this.driver = driver;
        this.cache = cache;
        this.links = links;
        this.name = name;
        this.blobs = blobs;
        this.tags = tags;
        this.maxManifestBytes = maxManifestBytes;
    }

    @Override
    public Optional<Manifest> get(Digest digest) {
        if (!exists(digest)) {
            return Optional.empty();
        }
        Optional<Manifest> cached = cache.get(digest);
        if (cached.isPresent()) {
            return cached;
        }
        Optional<byte[]> shared = links.shared().manifest(digest);
        if (shared.isPresent() && Digest.of(digest.algorithm(), shared.get()).equals(digest)) {
            Manifest m = ManifestParser.describe(shared.get(), digest);
            cache.put(m);
            return Optional.of(m);
        }
        return StorageIo.ifExists("reading manifest " + digest,
                () -> driver.getContent(pathFor(new PathSpec.BlobData(digest)))).map(content -> {
                    // Never serve a byte whose digest does not match, even if the disk rotted.
                    if (!Digest.of(digest.algorithm(), content).equals(digest)) {
                        throw new RegistryException(ErrorCode.UNKNOWN,
                                "stored manifest " + digest + " in " + name + " is corrupt (digest mismatch)");
                    }
                    Manifest m = ManifestParser.describe(content, digest);
                    cache.put(m);
                    links.shared().manifest(digest, content);
                    return m;
                });
    }

    /** From memory when this repository's revision link and the manifest were seen before. */
    @Override
    public Optional<Manifest> getInMemory(Digest digest) {
        return links.isLinked(LinkKind.MANIFEST, name, digest) ? cache.get(digest) : Optional.empty();
    }

    @Override
    public boolean exists(Digest digest) {
        if (links.isLinkedOrShared(LinkKind.MANIFEST, name, digest)) {
            return true;
        }
        boolean linked = StorageIo.fileExists(driver, pathFor(new PathSpec.ManifestRevisionLink(name, digest)));
        if (linked) {
            links.linked(LinkKind.MANIFEST, name, digest);
        }
        return linked;
    }

    @Override
    public Manifest put(byte[] content, @Nullable String contentType, DigestAlgorithm algorithm) {
        if (content.length > maxManifestBytes) {
            throw new RegistryException(ErrorCode.SIZE_INVALID, "manifest of %d bytes exceeds the limit of %d bytes"
                    .formatted(content.length, maxManifestBytes)).withStatus(413);
        }
        ParsedManifest parsed = ManifestParser.parse(content, contentType);
        checkReferencesExist(parsed);
        return store(content, parsed, Digest.of(algorithm, content));
    }

    @Override
    public Manifest cache(byte[] content, Digest digest) {
        return store(content, ManifestParser.parse(content, null), digest);
    }

    private Manifest store(byte[] content, ParsedManifest parsed, Digest digest) {
        byte[] link = digest.toString().getBytes(StandardCharsets.US_ASCII);
        StorageIo.run("storing manifest " + digest + " in " + name, () -> {
            String data = pathFor(new PathSpec.BlobData(digest));
            if (!StorageIo.fileExists(driver, data)) {
                driver.putContent(data, content);
            }
            if (parsed.subject() != null) {
                driver.putContent(pathFor(new PathSpec.ReferrerLink(name, parsed.subject().digest(), digest)), link);
            }
            driver.putContent(pathFor(new PathSpec.ManifestRevisionLink(name, digest)), link);
        });
        links.linked(LinkKind.MANIFEST, name, digest);
        Manifest stored = new Manifest(content, parsed.mediaType(), digest,
                parsed.subject() == null ? null : parsed.subject().digest());
        cache.put(stored);
        links.shared().manifest(digest, content);
        return stored;
    }

    private void checkReferencesExist(ParsedManifest parsed) {
        for (Descriptor blob : parsed.blobs()) {
            Descriptor stored = blobs.stat(blob.digest()).orElseThrow(() -> new RegistryException(
                    ErrorCode.MANIFEST_BLOB_UNKNOWN, "blob " + blob.digest() + " is not in repository " + name
                            + ": push it before the manifest"));
            if (stored.size() != blob.size()) {
                throw new RegistryException(ErrorCode.MANIFEST_INVALID, "the manifest gives blob %s a size of %d bytes; it has %d"
                        .formatted(blob.digest(), blob.size(), stored.size()));
            }
        }
        for (Descriptor child : parsed.manifests()) {
            if (!exists(child.digest())) {
                throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN, "manifest " + child.digest()
                        + " is not in repository " + name + ": push it before the index");
            }
        }
    }

    @Override
    public void delete(Digest digest) {
        Manifest manifest = get(digest).orElseThrow(() -> new RegistryException(ErrorCode.MANIFEST_UNKNOWN,
                "manifest " + digest + " is not in repository " + name));
        for (String tag : tags.list()) {
            if (tags.get(tag).filter(digest::equals).isPresent()) {
                tags.untag(tag);
            }
        }
        if (manifest.subject() != null) {
            StorageIo.deleteIfExists(driver, pathFor(new PathSpec.ReferrerLink(name, manifest.subject(), digest)));
        }
        // Storage first, then memory and the announcement: an instance told of the removal must not
        // find the link still in storage and learn it again.
        StorageIo.deleteIfExists(driver, pathFor(new PathSpec.ManifestRevisionDir(name, digest)));
        links.unlinked(LinkKind.MANIFEST, name, digest);
    }

    @Override
    public List<Referrer> referrers(Digest subject, @Nullable String artifactType) {
        List<Referrer> result = new ArrayList<>();
        for (Digest digest : referrerDigests(subject)) {
            Optional<Manifest> manifest = get(digest);
            if (manifest.isEmpty()) {
                continue;
            }
            ParsedManifest parsed;
            try {
                parsed = ManifestParser.parse(manifest.get().content(), manifest.get().mediaType());
            } catch (RegistryException e) {
                continue; // not a manifest this registry would accept today: not listed
            }
            if (artifactType != null && !artifactType.equals(parsed.artifactType())) {
                continue;
            }
            result.add(new Referrer(new Descriptor(digest, manifest.get().content().length, parsed.mediaType()),
                    parsed.artifactType(), parsed.annotations()));
        }
        return result;
    }

    private List<Digest> referrerDigests(Digest subject) {
        String dir = pathFor(new PathSpec.ReferrersDir(name, subject));
        List<Digest> digests = new ArrayList<>();
        for (String algorithmDir : StorageIo.ifExists("listing referrers", () -> driver.list(dir)).orElse(List.of())) {
            for (String hexDir : StorageIo.ifExists("listing referrers", () -> driver.list(algorithmDir)).orElse(List.of())) {
                digests.add(Digest.parse(StoragePaths.baseName(algorithmDir) + ":" + StoragePaths.baseName(hexDir)));
            }
        }
        return digests;
    }
}
