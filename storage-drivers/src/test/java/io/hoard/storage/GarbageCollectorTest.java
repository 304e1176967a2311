package io.hoard.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.model.Digest;
import io.hoard.model.RepositoryName;
import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.base.ValidatingStorageDriver;
import io.hoard.storage.driver.inmemory.InMemoryDriver;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** distribution's mark and sweep: referenced blobs stay, the rest go; -m also removes what no tag reaches. */
final class GarbageCollectorTest {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private final StorageDriver driver = new ValidatingStorageDriver(new InMemoryDriver());
    private final DriverRegistry registry = new DriverRegistry(driver);
    private final Repository repo = registry.repository(RepositoryName.of("team/app"));

    private Digest blob(String content) {
        try (Upload u = repo.uploads().start()) {
            u.write(ByteBuffer.wrap(content.getBytes(UTF_8)));
            return u.commit(Digest.sha256(content.getBytes(UTF_8))).digest();
        }
    }

    private static String desc(String mediaType, Digest d, long size) {
        return "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%d}".formatted(mediaType, d, size);
    }

    /** An image with a config and the given layers (each pushed as a blob). */
    private Digest image(String config, String... layers) {
        Digest c = blob(config);
        List<String> ls = new ArrayList<>();
        for (String l : layers) {
            ls.add(desc("application/vnd.oci.image.layer.v1.tar", blob(l), l.length()));
        }
        byte[] m = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":"
                + desc("application/vnd.oci.image.config.v1+json", c, config.length()) + ",\"layers\":["
                + String.join(",", ls) + "]}").getBytes(UTF_8);
        return repo.manifests().put(m, OCI_MANIFEST, io.hoard.model.DigestAlgorithm.SHA256).digest();
    }

    private boolean stored(Digest d) {
        return registry.statContent(d).isPresent();
    }

    @Test
    void unreferencedBlobsAreSweptAndADryRunOnlySaysSo() {
        Digest kept = image("{\"a\":1}", "shared layer", "layer one");
        repo.tags().tag("1", kept);
        Digest orphan = blob("pushed, never referenced");

        List<String> lines = new ArrayList<>();
        GarbageCollector.Report dry = new GarbageCollector(driver, registry).run(true, false, lines::add);
        assertThat(dry.blobs()).containsExactly(orphan);
        assertThat(dry.bytes()).isEqualTo("pushed, never referenced".length());
        assertThat(lines).anyMatch(l -> l.contains("blob eligible for deletion: " + orphan));
        assertThat(stored(orphan)).isTrue();

        GarbageCollector.Report real = new GarbageCollector(driver, new DriverRegistry(driver)).run(false, false, l -> { });
        assertThat(real.blobs()).containsExactly(orphan);
        DriverRegistry after = new DriverRegistry(driver);
        assertThat(after.statContent(orphan)).isEmpty();
        assertThat(after.repository(repo.name()).manifests().get(kept)).isPresent();
        assertThat(after.statContent(Digest.sha256("layer one".getBytes(UTF_8)))).isPresent();
    }

    @Test
    void deleteUntaggedRemovesWhatNoTagReachesButKeepsIndexChildren() {
        Digest tagged = image("{\"b\":1}", "shared layer", "tagged only");
        Digest untagged = image("{\"c\":1}", "shared layer", "untagged only");
        Digest child = image("{\"d\":1}", "child layer");
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":["
                + desc(OCI_MANIFEST, child, repo.manifests().get(child).orElseThrow().content().length) + "]}")
                .getBytes(UTF_8);
        Digest indexDigest = repo.manifests().put(index, OCI_INDEX, io.hoard.model.DigestAlgorithm.SHA256).digest();
        repo.tags().tag("latest", tagged);
        repo.tags().tag("multi", indexDigest);

        GarbageCollector.Report report = new GarbageCollector(driver, registry).run(false, true, l -> { });
        assertThat(report.manifests()).containsExactly("team/app@" + untagged);
        DriverRegistry after = new DriverRegistry(driver);
        Repository r = after.repository(repo.name());
        assertThat(r.manifests().get(untagged)).isEmpty();
        assertThat(after.statContent(Digest.sha256("untagged only".getBytes(UTF_8)))).isEmpty();
        assertThat(after.statContent(Digest.sha256("shared layer".getBytes(UTF_8)))).isPresent();
        assertThat(r.manifests().get(tagged)).isPresent();
        assertThat(r.manifests().get(child)).as("the child of a tagged index").isPresent();
        assertThat(after.statContent(Digest.sha256("child layer".getBytes(UTF_8)))).isPresent();
    }

    @Test
    void deleteUntaggedKeepsWhatAPinNamesByDigest() {
        Digest pinned = image("{\"p\":1}", "pinned layer");
        Digest loose = image("{\"l\":1}", "loose layer");
        GarbageCollector.Report report = new GarbageCollector(driver, registry,
                java.util.Set.of(new Pin(RepositoryName.of("team/app"), null, pinned))).run(false, true, l -> { });
        assertThat(report.manifests()).containsExactly("team/app@" + loose);
        assertThat(stored(Digest.sha256("pinned layer".getBytes(UTF_8)))).isTrue();
        assertThat(stored(Digest.sha256("loose layer".getBytes(UTF_8)))).isFalse();
    }
}
