package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hoard.config.ConfigException;
import io.hoard.config.ConfigLoader;
import io.hoard.config.RegistryConfig;
import io.hoard.model.Digest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hoard garbage-collect} on the storage of a configuration, after the registry stopped. */
final class GarbageCollectTest {
    @TempDir
    Path root;

    @Test
    void sweepsWhatNoManifestReferencesAndSaysWhat() throws Exception {
        Digest orphan;
        try (TestRegistry registry = TestRegistry.filesystem(root, "")) {
            registry.pushImage("team/app", "1", "kept layer".getBytes(StandardCharsets.UTF_8));
            orphan = registry.pushBlob("team/app", "orphan layer".getBytes(StandardCharsets.UTF_8));
        }
        RegistryConfig config = ConfigLoader.parse("storage:\n  filesystem:\n    rootdirectory: " + root + "\n", Map.of(), "t");
        ByteArrayOutputStream dry = new ByteArrayOutputStream();
        GarbageCollect.run(config, GarbageCollect.Options.parse(List.of("--dry-run", "config.yml")),
                new PrintStream(dry, true, StandardCharsets.UTF_8));
        assertThat(dry.toString(StandardCharsets.UTF_8)).contains("blob eligible for deletion: " + orphan)
                .contains("1 blobs and 0 manifests eligible for deletion");
        ByteArrayOutputStream real = new ByteArrayOutputStream();
        GarbageCollect.run(config, GarbageCollect.Options.parse(List.of("-m", "config.yml")),
                new PrintStream(real, true, StandardCharsets.UTF_8));
        assertThat(real.toString(StandardCharsets.UTF_8)).contains("1 blobs and 0 manifests deleted");
        try (TestRegistry registry = TestRegistry.filesystem(root, "")) {
            assertThat(registry.head("/v2/team/app/blobs/" + orphan).statusCode()).isEqualTo(404);
            assertThat(registry.get("/v2/team/app/manifests/1", "Accept", TestRegistry.OCI_MANIFEST).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void badArgumentsSayHowToCallIt() {
        assertThatThrownBy(() -> GarbageCollect.Options.parse(List.of("--dry-run"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("usage: hoard garbage-collect");
        assertThatThrownBy(() -> GarbageCollect.Options.parse(List.of("--force", "c.yml")))
                .hasMessageContaining("--force");
    }
}
