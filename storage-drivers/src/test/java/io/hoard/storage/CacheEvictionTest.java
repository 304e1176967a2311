package io.hoard.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.model.Digest;
import io.hoard.model.DigestAlgorithm;
import io.hoard.model.RepositoryName;
import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.base.ValidatingStorageDriver;
import io.hoard.storage.driver.inmemory.InMemoryDriver;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What eviction takes together, what it leaves, and what a run spares when the store changes under it. */
final class CacheEvictionTest {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    /** An hour ahead: everything in the store looks settled, nothing in progress. */
    private final Clock later = Clock.offset(Clock.systemUTC(), Duration.ofHours(1));
    private Runnable duringBlobListing = () -> { };
    /** The in-memory store, with a hook run when the blobs are listed. */
    private final StorageDriver driver = watched(new ValidatingStorageDriver(new InMemoryDriver()));

    private StorageDriver watched(StorageDriver target) {
        return (StorageDriver) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {StorageDriver.class}, (proxy, method, args) -> {
                    if (method.getName().equals("walk") && ((String) args[0]).endsWith("/blobs")) {
                        duringBlobListing.run();
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private final DriverRegistry registry = new DriverRegistry(driver);
    private final RepositoryName cachedName = RepositoryName.of("library/app");
    private final Repository cached = registry.repository(cachedName);
    private final Repository pushed = registry.repository(RepositoryName.of("mine/app"));
    private final List<Pin> pins = new ArrayList<>();
    private final CacheEviction eviction = new CacheEviction(registry, AccessTimes.of(registry, later), () -> Set.copyOf(pins),
            new BlobUse(), later);

    CacheEvictionTest() {
        registry.markOrigin(cachedName, Origin.CACHED);
        registry.markOrigin(pushed.name(), Origin.LOCAL);
    }

    private Digest blob(Repository repo, String content) {
        try (Upload u = repo.uploads().start()) {
            u.write(ByteBuffer.wrap(content.getBytes(UTF_8)));
            return u.commit(Digest.sha256(content.getBytes(UTF_8))).digest();
        }
    }

    private static String desc(String mediaType, Digest d, long size) {
        return "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%d}".formatted(mediaType, d, size);
    }

    private Digest image(Repository repo, String config, String... layers) {
        Digest c = blob(repo, config);
        List<String> ls = new ArrayList<>();
        for (String l : layers) {
            ls.add(desc("application/vnd.oci.image.layer.v1.tar", blob(repo, l), l.length()));
        }
        byte[] m = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":"
                + desc("application/vnd.oci.image.config.v1+json", c, config.length()) + ",\"layers\":["
                + String.join(",", ls) + "]}").getBytes(UTF_8);
        return repo.manifests().put(m, OCI_MANIFEST, DigestAlgorithm.SHA256).digest();
    }

    private Digest index(Repository repo, Digest... children) {
        List<String> entries = new ArrayList<>();
        for (Digest child : children) {
            long size = repo.manifests().get(child).orElseThrow().content().length;
            entries.add(desc(OCI_MANIFEST, child, size));
        }
        byte[] m = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[" + String.join(",", entries)
                + "]}").getBytes(UTF_8);
        return repo.manifests().put(m, OCI_INDEX, DigestAlgorithm.SHA256).digest();
    }

    private boolean stored(Digest d) {
        return registry.statContent(d).isPresent();
    }

    private static final CacheEviction.Limits EVERYTHING = new CacheEviction.Limits(1, 0, 0, Duration.ZERO);

    @Test
    void anIndexGoesWithItsChildrenButAChildAPinnedIndexListsStays() {
        Digest amd = image(cached, "{\"amd\":1}", "amd layer");
        Digest arm = image(cached, "{\"arm\":1}", "arm layer");
        Digest wide = index(cached, amd, arm);
        Digest narrow = index(cached, arm);
        cached.tags().tag("wide", wide);
        cached.tags().tag("narrow", narrow);
        pins.add(new Pin(cachedName, "narrow", null));
        Digest mine = image(pushed, "{\"mine\":1}", "pushed layer");

        CacheEviction.Report report = eviction.evict(EVERYTHING);

        assertThat(report.manifests()).containsExactlyInAnyOrder(cachedName + "@" + wide, cachedName + "@" + amd);
        assertThat(stored(wide)).isFalse();
        assertThat(stored(amd)).isFalse();
        assertThat(registry.statContent(Digest.sha256("amd layer".getBytes(UTF_8)))).isEmpty();
        assertThat(cached.manifests().get(arm)).as("the pinned index lists it").isPresent();
        assertThat(cached.manifests().get(narrow)).isPresent();
        assertThat(stored(Digest.sha256("arm layer".getBytes(UTF_8)))).isTrue();
        assertThat(pushed.manifests().get(mine)).isPresent();
        assertThat(stored(Digest.sha256("pushed layer".getBytes(UTF_8)))).isTrue();
        assertThat(cached.tags().get("wide")).isEmpty();
        assertThat(report.withinLimits()).as("only pinned and pushed content is left").isTrue();
    }

    @Test
    void aBlobLinkedWhileTheRunListsTheStoreIsSpared() {
        Digest orphan = blob(cached, "fetched alone, referenced by nothing");
        Digest other = blob(cached, "another loose one");
        duringBlobListing = () -> { // a mount into a push, by a request, mid-run
            try {
                Thread.ofVirtual().start(() -> registry.linkBlob(pushed.name(), orphan)).join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };

        CacheEviction.Report report = eviction.collect(false);

        assertThat(report.blobs()).containsExactly(other);
        assertThat(stored(orphan)).isTrue();
        assertThat(pushed.blobs().stat(orphan)).isPresent();
    }

    @Test
    void aDryCollectionDeletesNothing() {
        Digest orphan = blob(cached, "loose");
        CacheEviction.Report dry = eviction.collect(true);
        assertThat(dry.blobs()).containsExactly(orphan);
        assertThat(stored(orphan)).isTrue();
        assertThat(eviction.collect(false).blobs()).containsExactly(orphan);
        assertThat(stored(orphan)).isFalse();
    }
}
