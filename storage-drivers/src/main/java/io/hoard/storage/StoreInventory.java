package io.hoard.storage;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.MediaTypes;
import io.hoard.model.RepositoryName;
import io.hoard.storage.driver.FileInfo;
import io.hoard.storage.driver.StorageDriver;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything eviction and the online garbage collection decide from, read in two listings of the
 * store ({@code repositories/} and {@code blobs/}) plus one read per tag and per distinct manifest:
 * each repository's origin, manifests (with when they were stored and last pulled), tags and
 * linked blobs, and every blob's size and age.
 */
final class StoreInventory {
    /** The most manifests whose references are remembered between runs (a few MiB of heap). */
    static final int MAX_KNOWN = 10_000;

    /** One repository as listed. */
    static final class Repo {
        final RepositoryName name;
        Origin origin = Origin.UNKNOWN;
        /** Manifest → when its revision link was written. */
        final Map<Digest, Instant> revisions = new LinkedHashMap<>();
        /** Manifest → when it was last pulled (its access marker). */
        final Map<Digest, Instant> access = new HashMap<>();
        /** Blob → when it was linked here. */
        final Map<Digest, Instant> layers = new HashMap<>();
        final List<String> tags = new ArrayList<>();

        Repo(RepositoryName name) {
            this.name = name;
        }
    }

    /** What a stored manifest references. */
    record Refs(String mediaType, List<Digest> children, List<Descriptor> blobs, @org.jspecify.annotations.Nullable Digest subject) {
    }

    final Map<RepositoryName, Repo> repos = new TreeMap<>(java.util.Comparator.comparing(RepositoryName::value));
    /** Blob → its data file (size, modification time). */
    final Map<Digest, FileInfo> blobs = new HashMap<>();
    private final Map<Digest, Optional<Refs>> refs = new HashMap<>();
    /** What manifests reference, kept across runs: a manifest never changes under its digest. */
    private final Map<Digest, Refs> known;
    private final DriverRegistry registry;

    private StoreInventory(DriverRegistry registry, Map<Digest, Refs> known) {
        this.registry = registry;
        this.known = known;
    }

    /**
     * Lists the store.
     *
     * @param known what earlier runs read of manifests; filled with what this run reads
     */
    static StoreInventory read(DriverRegistry registry, StorageDriver driver, Map<Digest, Refs> known) {
        StoreInventory inventory = new StoreInventory(registry, known);
        String prefix = PathSpec.REPOSITORIES + "/";
        StorageIo.ifExists("listing repositories", () -> {
            driver.walk(PathSpec.REPOSITORIES, (FileInfo f) -> {
                if (!f.directory() && f.path().startsWith(prefix)) {
                    inventory.repositoryFile(f, f.path().substring(prefix.length()));
                }
            });
            return Boolean.TRUE;
        });
        StorageIo.ifExists("listing blobs", () -> {
            driver.walk(PathSpec.ROOT + "/blobs", (FileInfo f) -> {
                if (!f.directory() && f.path().endsWith("/data")) {
                    String[] parts = f.path().split("/");
                    try {
                        inventory.blobs.put(Digest.parse(parts[parts.length - 4] + ":" + parts[parts.length - 2]), f);
                    } catch (RuntimeException notABlob) {
                        // a stray file: not ours to judge
                    }
                }
            });
            return Boolean.TRUE;
        });
        return inventory;
    }

    private void repositoryFile(FileInfo f, String relative) {
        int split = relative.indexOf("/_");
        if (split <= 0) {
            return;
        }
        RepositoryName name;
        try {
            name = RepositoryName.of(relative.substring(0, split));
        } catch (RuntimeException notARepository) {
            return;
        }
        String[] p = relative.substring(split + 1).split("/");
        Repo repo = repos.computeIfAbsent(name, Repo::new);
        if (p.length == 5 && p[0].equals("_manifests") && p[1].equals("revisions") && p[4].equals("link")) {
            digest(p[2], p[3]).ifPresent(d -> repo.revisions.put(d, f.modified()));
        } else if (p.length == 5 && p[0].equals("_manifests") && p[1].equals("tags") && p[3].equals("current")
                && p[4].equals("link")) {
            repo.tags.add(p[2]);
        } else if (p.length == 4 && p[0].equals("_layers") && p[3].equals("link")) {
            digest(p[1], p[2]).ifPresent(d -> repo.layers.put(d, f.modified()));
        } else if (p.length == 4 && p[0].equals("_hoard") && p[1].equals("access")) {
            digest(p[2], p[3]).ifPresent(d -> repo.access.merge(d, f.modified(), (a, b) -> a.isAfter(b) ? a : b));
        } else if (p.length == 2 && p[0].equals("_hoard") && p[1].equals("local")) {
            repo.origin = Origin.LOCAL;
        } else if (p.length == 2 && p[0].equals("_hoard") && p[1].equals("cached") && repo.origin != Origin.LOCAL) {
            repo.origin = Origin.CACHED;
        }
    }

    private static Optional<Digest> digest(String algorithm, String hex) {
        try {
            return Optional.of(Digest.parse(algorithm + ":" + hex));
        } catch (RuntimeException notADigest) {
            return Optional.empty();
        }
    }

    /** What the manifest references; empty when its content is missing or no manifest. */
    Optional<Refs> refs(Digest manifest) {
        Refs earlier = known.get(manifest);
        if (earlier != null) {
            return Optional.of(earlier);
        }
        Optional<Refs> read = refs.computeIfAbsent(manifest, d -> registry.content(d).flatMap(content -> {
            try {
                Manifest m = ManifestParser.describe(content, d);
                List<Digest> children = MediaTypes.isIndex(m.mediaType())
                        ? ManifestParser.indexEntries(content).stream().map(e -> e.descriptor().digest()).toList()
                        : List.of();
                return Optional.of(new Refs(m.mediaType(), children, ManifestParser.referencedBlobs(m), m.subject()));
            } catch (RuntimeException notAManifest) {
                return Optional.empty();
            }
        }));
        if (read.isPresent() && known.size() < MAX_KNOWN) {
            known.put(manifest, read.get()); // an absent one may still be stored: asked again next run
        }
        return read;
    }

    /** The digests the repository's tags point at, by tag. */
    Map<String, Digest> tagTargets(Repo repo) {
        Map<String, Digest> targets = new LinkedHashMap<>();
        TagStore tags = registry.repository(repo.name).tags();
        for (String tag : repo.tags) {
            try {
                tags.get(tag).ifPresent(d -> targets.put(tag, d));
            } catch (RuntimeException unreadable) {
                // a broken tag link: it keeps nothing
            }
        }
        return targets;
    }

    /**
     * {@code roots} and everything they keep within the repository: the children of kept indexes
     * and the referrers of kept manifests.
     */
    Set<Digest> closure(Repo repo, Set<Digest> roots) {
        Set<Digest> keep = new HashSet<>(roots);
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Digest d : repo.revisions.keySet()) {
                Optional<Refs> r = refs(d);
                if (keep.contains(d)) {
                    for (Digest child : r.map(Refs::children).orElse(List.of())) {
                        grew |= repo.revisions.containsKey(child) && keep.add(child);
                    }
                } else if (r.isPresent() && r.get().subject() != null && keep.contains(r.get().subject())) {
                    grew |= keep.add(d);
                }
            }
        }
        return keep;
    }

    /** The blobs a manifest holds in the store: its own content, its config and layers. */
    List<Digest> blobsOf(Digest manifest) {
        List<Digest> held = new ArrayList<>();
        held.add(manifest);
        refs(manifest).ifPresent(r -> r.blobs().forEach(b -> held.add(b.digest())));
        return held;
    }
}
