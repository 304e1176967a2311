package io.hoard.storage;

import static io.hoard.storage.PathSpec.pathFor;

import io.hoard.model.Digest;
import io.hoard.model.RepositoryName;
import io.hoard.storage.driver.FileInfo;
import io.hoard.storage.driver.StorageDriver;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the cache within its budget ({@code proxy.eviction}), and collects unreferenced blobs while
 * the registry runs.
 *
 * <p>Eviction: pushed content (repositories not marked cached), pinned content and what it keeps
 * (children of indexes, referrers) never count and are never touched. Cached manifests go in
 * units — a manifest with its children and referrers — least recently pulled first, while the
 * cached bytes are above {@code maxsize} or the volume has less free space than asked, and every
 * unit idle longer than {@code maxidle}; a blob goes once no kept manifest in any repository
 * references it (reference counts across repositories). Blobs that nothing references at all go
 * first, oldest first.
 *
 * <p>Safety while pulls, fills and pushes run: a manifest pulled in the last
 * {@link #IN_PROGRESS} (by any instance: access markers) is not evicted; a blob stored, linked or
 * looked up by this process since the run began, stored in the last {@link #IN_PROGRESS}, being
 * streamed here, or linked into a pushed repository in the last {@link #PUSH_WINDOW} is not
 * deleted.
 */
public final class CacheEviction {
    private static final Logger LOG = LoggerFactory.getLogger(CacheEviction.class);
    /** What was pulled or stored this recently is taken as a pull or fill still under way. */
    static final Duration IN_PROGRESS = Duration.ofSeconds(10);
    /** Blobs a push uploaded this recently may be waiting for their manifest. */
    static final Duration PUSH_WINDOW = Duration.ofHours(1);

    /** The budget: see {@code proxy.eviction}; zero turns a limit off. */
    public record Limits(long maxSize, long minFreeBytes, int minFreePercent, Duration maxIdle) {
    }

    /**
     * What a run did (or, dry, would do).
     *
     * @param manifests {@code repository@digest} of each manifest evicted
     * @param cachedBytes cached content (not pushed, not pinned) before the run
     * @param cachedBytesAfter and after it
     */
    public record Report(List<String> manifests, List<Digest> blobs, long bytesFreed, long cachedBytes, long cachedBytesAfter,
            boolean withinLimits) {
    }

    private final DriverRegistry registry;
    private final StorageDriver driver;
    private final AccessTimes accessTimes;
    private final Supplier<Set<Pin>> pins;
    private final BlobUse blobUse;
    private final Clock clock;
    /** What manifests reference, read once and kept between runs (runs are serialised). */
    private final Map<Digest, StoreInventory.Refs> knownRefs = new HashMap<>();

    public CacheEviction(DriverRegistry registry, AccessTimes accessTimes, Supplier<Set<Pin>> pins, BlobUse blobUse,
            Clock clock) {
        this.registry = registry;
        this.driver = registry.driver();
        this.accessTimes = accessTimes;
        this.pins = pins;
        this.blobUse = blobUse;
        this.clock = clock;
    }

    /** Evicts until within {@code limits}. */
    public synchronized Report evict(Limits limits) {
        return run(limits, false, false);
    }

    /**
     * The online garbage collection: deletes every blob that no manifest of any repository
     * references (nor a recent push), as {@code hoard garbage-collect} does offline, but safe while
     * the registry runs.
     */
    public synchronized Report collect(boolean dryRun) {
        return run(null, true, dryRun);
    }

    private Report run(@Nullable Limits limits, boolean collectAll, boolean dryRun) {
        Instant start = clock.instant();
        registry.descriptors().beginSweepWatch();
        try {
            StoreInventory inventory = StoreInventory.read(registry, driver, knownRefs);
            Plan plan = new Plan(inventory, start, collectAll);
            return plan.execute(limits, dryRun);
        } finally {
            registry.descriptors().endSweepWatch();
        }
    }

    /** A manifest with the children and referrers that go with it. */
    private record Unit(StoreInventory.Repo repo, Digest top, Set<Digest> members, Instant lastPulled) {
    }

    private final class Plan {
        private final StoreInventory inventory;
        private final Instant start;
        /** Every instance's last pulls, from the shared log (Redis) when there is one. */
        private final Map<AccessTimes.Key, Instant> sharedPulls;
        /** Kept references to each blob, from every kept manifest of every repository. */
        private final Map<Digest, Integer> refs = new HashMap<>();
        /** Blobs of pushed or pinned content: never deleted, never counted against the budget. */
        private final Set<Digest> protectedBlobs = new HashSet<>();
        /** Blobs of pulls or fills that may be under way: counted, but not deleted by this run. */
        private final Set<Digest> busyBlobs = new HashSet<>();
        private final List<Unit> units = new ArrayList<>();
        /** Manifests evicted by this run, by repository. */
        private final Map<RepositoryName, Set<Digest>> evicted = new HashMap<>();
        private long cachedBytes;

        Plan(StoreInventory inventory, Instant start, boolean collectAll) {
            this.inventory = inventory;
            this.start = start;
            this.sharedPulls = collectAll ? Map.of() : accessTimes.shared();
            Set<Pin> pinned = collectAll ? Set.of() : pins.get();
            for (StoreInventory.Repo repo : inventory.repos.values()) {
                boolean all = collectAll || repo.origin != Origin.CACHED;
                Set<Digest> kept = all ? repo.revisions.keySet() : inventory.closure(repo, pinnedIn(repo, pinned));
                Set<Digest> busy = all ? Set.of() : inventory.closure(repo, pulledJustNow(repo));
                for (Digest m : repo.revisions.keySet()) {
                    for (Digest b : inventory.blobsOf(m)) {
                        refs.merge(b, 1, Integer::sum);
                        if (kept.contains(m)) {
                            protectedBlobs.add(b);
                        } else if (busy.contains(m)) {
                            busyBlobs.add(b);
                        }
                    }
                }
                if (repo.origin != Origin.CACHED) {
                    repo.layers.forEach((blob, linked) -> {
                        if (linked.isAfter(start.minus(PUSH_WINDOW))) {
                            protectedBlobs.add(blob);
                        }
                    });
                }
                if (!all) {
                    Set<Digest> stay = new HashSet<>(kept);
                    stay.addAll(busy);
                    units.addAll(units(repo, stay));
                }
            }
            inventory.blobs.forEach((d, f) -> {
                if (f.modified().isAfter(start.minus(IN_PROGRESS))) {
                    busyBlobs.add(d); // just stored: its manifest may not be listed yet
                }
            });
            for (Map.Entry<Digest, FileInfo> b : inventory.blobs.entrySet()) {
                if (!protectedBlobs.contains(b.getKey())) {
                    cachedBytes += b.getValue().size();
                }
            }
            units.sort(Comparator.comparing(Unit::lastPulled));
        }

        /** What pins keep in a cached repository. */
        private Set<Digest> pinnedIn(StoreInventory.Repo repo, Set<Pin> pinned) {
            Set<Digest> roots = new HashSet<>();
            Map<String, Digest> tags = null;
            for (Pin pin : pinned) {
                if (!pin.repository().equals(repo.name)) {
                    continue;
                }
                if (pin.wholeRepository()) {
                    return repo.revisions.keySet();
                }
                if (pin.digest() != null) {
                    roots.add(pin.digest());
                } else {
                    tags = tags != null ? tags : inventory.tagTargets(repo);
                    Optional.ofNullable(tags.get(pin.tag())).ifPresent(roots::add);
                }
            }
            return roots;
        }

        /** Manifests pulled so recently that the pull may still be fetching their blobs. */
        private Set<Digest> pulledJustNow(StoreInventory.Repo repo) {
            Set<Digest> busy = new HashSet<>();
            for (Digest d : repo.revisions.keySet()) {
                if (lastPulled(repo, d).isAfter(start.minus(IN_PROGRESS))) {
                    busy.add(d);
                }
            }
            return busy;
        }

        private Instant lastPulled(StoreInventory.Repo repo, Digest d) {
            Instant t = repo.revisions.getOrDefault(d, Instant.EPOCH);
            Instant marker = repo.access.get(d);
            if (marker != null && marker.isAfter(t)) {
                t = marker;
            }
            Instant logged = sharedPulls.get(new AccessTimes.Key(repo.name, d));
            if (logged != null && logged.isAfter(t)) {
                t = logged;
            }
            Optional<Instant> here = accessTimes.recent(repo.name, d);
            return here.isPresent() && here.get().isAfter(t) ? here.get() : t;
        }

        /**
         * The repository's evictable units: each manifest that is not kept, not a child of another
         * manifest here and not a referrer of one, with what it holds (children, referrers).
         */
        private List<Unit> units(StoreInventory.Repo repo, Set<Digest> kept) {
            Set<Digest> children = new HashSet<>();
            for (Digest d : repo.revisions.keySet()) {
                inventory.refs(d).ifPresent(r -> children.addAll(r.children()));
            }
            List<Unit> result = new ArrayList<>();
            for (Digest d : repo.revisions.keySet()) {
                Digest subject = inventory.refs(d).map(StoreInventory.Refs::subject).orElse(null);
                if (kept.contains(d) || children.contains(d) || subject != null && repo.revisions.containsKey(subject)) {
                    continue;
                }
                Set<Digest> members = new LinkedHashSet<>();
                members.add(d);
                members.addAll(inventory.closure(repo, Set.of(d)));
                members.removeAll(kept);
                Instant last = members.stream().map(m -> lastPulled(repo, m)).max(Comparator.naturalOrder()).orElseThrow();
                result.add(new Unit(repo, d, members, last));
            }
            return result;
        }

        Report execute(@Nullable Limits limits, boolean dryRun) {
            long before = cachedBytes;
            List<String> manifests = new ArrayList<>();
            List<Digest> deleted = new ArrayList<>();
            long[] freed = {0};
            // Blobs nothing references: oldest first, all of them for a collection, else while over budget.
            List<Map.Entry<Digest, FileInfo>> orphans = inventory.blobs.entrySet().stream()
                    .filter(e -> refs.getOrDefault(e.getKey(), 0) == 0 && !protectedBlobs.contains(e.getKey())
                            && !busyBlobs.contains(e.getKey()))
                    .sorted(Comparator.comparing(e -> e.getValue().modified())).toList();
            for (Map.Entry<Digest, FileInfo> orphan : orphans) {
                if (limits != null && !overBudget(limits) && !idle(limits, orphan.getValue().modified())) {
                    break;
                }
                if (deleteBlob(orphan.getKey(), orphan.getValue(), dryRun)) {
                    deleted.add(orphan.getKey());
                    freed[0] += orphan.getValue().size();
                }
            }
            if (limits != null) {
                for (Unit unit : units) {
                    if (!overBudget(limits) && !idle(limits, unit.lastPulled())) {
                        break; // least recently pulled first: the rest are newer
                    }
                    evictUnit(unit, dryRun, manifests, deleted, freed);
                }
            }
            boolean within = limits == null || !overBudget(limits);
            if (!deleted.isEmpty() || !manifests.isEmpty()) {
                LOG.info("{}: {} manifests and {} blobs ({} bytes) {}; cached content {} → {} bytes{}",
                        limits == null ? "garbage collection" : "eviction", manifests.size(), deleted.size(), freed[0],
                        dryRun ? "would be deleted" : "deleted", before, cachedBytes, within ? "" : " (still over budget: "
                                + "the rest is pinned, pushed or in use)");
            }
            return new Report(manifests, deleted, freed[0], before, cachedBytes, within);
        }

        /**
         * Deletes the unit's top manifest, then each member nothing else here still holds: a child
         * once every index listing it is gone, a referrer once its subject is gone.
         */
        private void evictUnit(Unit unit, boolean dryRun, List<String> manifests, List<Digest> deleted, long[] freed) {
            StoreInventory.Repo repo = unit.repo();
            Set<Digest> gone = evicted.computeIfAbsent(repo.name, r -> new HashSet<>());
            if (gone.contains(unit.top())) {
                return;
            }
            evictManifest(repo, unit.top(), dryRun, manifests, deleted, freed);
            boolean more = true;
            while (more) {
                more = false;
                for (Digest m : unit.members()) {
                    if (!gone.contains(m) && heldByNothingLeft(repo, m, gone)) {
                        evictManifest(repo, m, dryRun, manifests, deleted, freed);
                        more = true;
                    }
                }
            }
        }

        private boolean heldByNothingLeft(StoreInventory.Repo repo, Digest m, Set<Digest> gone) {
            Digest subject = inventory.refs(m).map(StoreInventory.Refs::subject).orElse(null);
            if (subject != null && repo.revisions.containsKey(subject)) {
                return gone.contains(subject);
            }
            for (Digest other : repo.revisions.keySet()) {
                if (!gone.contains(other) && inventory.refs(other).map(r -> r.children().contains(m)).orElse(false)) {
                    return false;
                }
            }
            return true;
        }

        private void evictManifest(StoreInventory.Repo repo, Digest m, boolean dryRun, List<String> manifests,
                List<Digest> deleted, long[] freed) {
            evicted.computeIfAbsent(repo.name, r -> new HashSet<>()).add(m);
            if (!dryRun) {
                try {
                    registry.repository(repo.name).manifests().delete(m);
                } catch (io.hoard.model.RegistryException gone) {
                    // deleted meanwhile
                }
                accessTimes.forget(repo.name, m);
            }
            manifests.add(repo.name + "@" + m);
            for (Digest b : inventory.blobsOf(m)) {
                int left = refs.merge(b, -1, Integer::sum);
                FileInfo data = inventory.blobs.get(b);
                if (left <= 0 && data != null && !protectedBlobs.contains(b) && !busyBlobs.contains(b)
                        && deleteBlob(b, data, dryRun)) {
                    deleted.add(b);
                    freed[0] += data.size();
                }
            }
        }

        /** Deletes a blob's data and its links in caches, unless this process touched it meanwhile. */
        private boolean deleteBlob(Digest d, FileInfo data, boolean dryRun) {
            if (registry.descriptors().touchedDuringSweep(d) || blobUse.inUse(d)) {
                return false;
            }
            cachedBytes -= data.size();
            if (dryRun) {
                return true;
            }
            String path = pathFor(new PathSpec.BlobData(d));
            StorageIo.deleteIfExists(driver, path.substring(0, path.lastIndexOf('/')));
            for (StoreInventory.Repo repo : inventory.repos.values()) {
                if (repo.layers.containsKey(d)) {
                    StorageIo.deleteIfExists(driver, pathFor(new PathSpec.LayerLinkDir(repo.name, d)));
                }
            }
            registry.forgetContent(d);
            return true;
        }

        private boolean idle(Limits limits, Instant lastUse) {
            return !limits.maxIdle().isZero() && lastUse.isBefore(start.minus(limits.maxIdle()));
        }

        private boolean overBudget(Limits limits) {
            if (limits.maxSize() > 0 && cachedBytes > limits.maxSize()) {
                return true;
            }
            if (limits.minFreeBytes() <= 0 && limits.minFreePercent() <= 0) {
                return false;
            }
            Optional<FileStore> volume = volume();
            if (volume.isEmpty()) {
                return false;
            }
            try {
                long usable = volume.get().getUsableSpace();
                long total = volume.get().getTotalSpace();
                return (limits.minFreeBytes() > 0 && usable < limits.minFreeBytes())
                        || (limits.minFreePercent() > 0 && total > 0 && usable * 100 < total * limits.minFreePercent());
            } catch (IOException e) {
                return false;
            }
        }
    }

    private Optional<FileStore> volume() {
        return driver.localRoot().flatMap(root -> {
            try {
                return Optional.of(Files.getFileStore(root));
            } catch (IOException e) {
                return Optional.empty();
            }
        });
    }
}
