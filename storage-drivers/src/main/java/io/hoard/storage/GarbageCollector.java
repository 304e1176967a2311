package io.hoard.storage;

import static io.hoard.storage.PathSpec.pathFor;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.MediaTypes;
import io.hoard.model.RepositoryName;
import io.hoard.storage.driver.FileInfo;
import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StoragePaths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * distribution's {@code registry garbage-collect}, offline (run it while no registry writes to the
 * store): mark every blob that a manifest of a repository references, then sweep the blobs nothing
 * marked. With {@code deleteUntagged}, manifests that no tag reaches are deleted first — unlike
 * distribution 2.8, the children of a kept index and the referrers of a kept manifest are kept
 * (distribution 3 does the same).
 */
public final class GarbageCollector {

    /**
     * What a run deleted (or, dry, would delete).
     *
     * @param manifests {@code repository@digest} of each untagged manifest removed
     */
    public record Report(int blobsMarked, List<String> manifests, List<Digest> blobs, long bytes) {
    }

    private final StorageDriver driver;
    private final DriverRegistry registry;
    private final Set<Pin> pins;

    public GarbageCollector(StorageDriver driver, DriverRegistry registry) {
        this(driver, registry, Set.of());
    }

    /** @param pins what {@code deleteUntagged} keeps even without a tag */
    public GarbageCollector(StorageDriver driver, DriverRegistry registry, Set<Pin> pins) {
        this.driver = driver;
        this.registry = registry;
        this.pins = Set.copyOf(pins);
    }

    /** Runs mark and sweep; {@code progress} gets one line per decision. */
    public Report run(boolean dryRun, boolean deleteUntagged, Consumer<String> progress) {
        Set<Digest> marked = new HashSet<>();
        List<String> manifestsGone = new ArrayList<>();
        for (String repositoryName : registry.catalog(Integer.MAX_VALUE, null)) {
            RepositoryName name = RepositoryName.of(repositoryName);
            Repository repo = registry.repository(name);
            Map<Digest, Manifest> manifests = new HashMap<>();
            for (Digest d : revisions(name)) {
                repo.manifests().get(d).ifPresent(m -> manifests.put(d, m));
            }
            Set<Digest> keep = deleteUntagged ? reachable(repo, manifests, pinned(name, manifests.keySet()))
                    : manifests.keySet();
            for (Manifest m : manifests.values()) {
                if (!keep.contains(m.digest())) {
                    progress.accept(repositoryName + ": manifest eligible for deletion: " + m.digest());
                    manifestsGone.add(repositoryName + "@" + m.digest());
                    if (!dryRun) {
                        repo.manifests().delete(m.digest());
                    }
                    continue;
                }
                progress.accept(repositoryName + ": marking manifest " + m.digest());
                marked.add(m.digest());
                if (MediaTypes.isIndex(m.mediaType())) {
                    ManifestParser.indexEntries(m.content()).forEach(e -> marked.add(e.descriptor().digest()));
                } else {
                    for (Descriptor blob : ManifestParser.referencedBlobs(m)) {
                        marked.add(blob.digest());
                    }
                }
            }
        }
        List<Digest> blobsGone = new ArrayList<>();
        long[] bytes = {0};
        String blobs = PathSpec.ROOT + "/blobs";
        StorageIo.ifExists("listing blobs", () -> {
            driver.walk(blobs, (FileInfo f) -> {
                if (!f.directory() && f.path().endsWith("/data")) {
                    String[] parts = f.path().split("/");
                    Digest d;
                    try {
                        d = Digest.parse(parts[parts.length - 4] + ":" + parts[parts.length - 2]);
                    } catch (RuntimeException notABlob) {
                        return; // a stray file: not ours to judge
                    }
                    if (!marked.contains(d)) {
                        blobsGone.add(d);
                        bytes[0] += f.size();
                    }
                }
            });
            return Boolean.TRUE;
        });
        for (Digest d : blobsGone) {
            progress.accept("blob eligible for deletion: " + d);
            if (!dryRun) {
                String data = pathFor(new PathSpec.BlobData(d));
                StorageIo.deleteIfExists(driver, data.substring(0, data.lastIndexOf('/')));
                registry.forgetContent(d);
            }
        }
        return new Report(marked.size(), manifestsGone, blobsGone, bytes[0]);
    }

    /** The manifest revisions a repository links. */
    private List<Digest> revisions(RepositoryName name) {
        String dir = pathFor(new PathSpec.RepositoryRoot(name)) + "/_manifests/revisions";
        List<Digest> digests = new ArrayList<>();
        for (String algorithm : StorageIo.ifExists("listing revisions", () -> driver.list(dir)).orElse(List.of())) {
            for (String hex : StorageIo.ifExists("listing revisions", () -> driver.list(algorithm)).orElse(List.of())) {
                try {
                    digests.add(Digest.parse(StoragePaths.baseName(algorithm) + ":" + StoragePaths.baseName(hex)));
                } catch (RuntimeException notADigest) {
                    // a stray directory: not a revision
                }
            }
        }
        return digests;
    }

    /** The manifests of {@code name} that pins name by digest, or all of them for a whole-repository pin. */
    private Set<Digest> pinned(RepositoryName name, Set<Digest> all) {
        Set<Digest> kept = new HashSet<>();
        for (Pin pin : pins) {
            if (pin.repository().equals(name)) {
                if (pin.wholeRepository()) {
                    return all;
                }
                if (pin.digest() != null) {
                    kept.add(pin.digest());
                }
            }
        }
        return kept;
    }

    /**
     * What a tag (or a pin) reaches: tagged and pinned manifests, the children of kept indexes, the
     * referrers of kept manifests.
     */
    private static Set<Digest> reachable(Repository repo, Map<Digest, Manifest> manifests, Set<Digest> pinned) {
        Set<Digest> keep = new LinkedHashSet<>(pinned);
        for (String tag : repo.tags().list()) {
            repo.tags().get(tag).ifPresent(keep::add);
        }
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Manifest m : manifests.values()) {
                if (keep.contains(m.digest())) {
                    if (MediaTypes.isIndex(m.mediaType())) {
                        for (var entry : ManifestParser.indexEntries(m.content())) {
                            grew |= keep.add(entry.descriptor().digest());
                        }
                    }
                } else if (m.subject() != null && keep.contains(m.subject())) {
                    grew |= keep.add(m.digest());
                }
            }
        }
        return keep;
    }
}
