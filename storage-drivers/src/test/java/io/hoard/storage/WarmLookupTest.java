package io.hoard.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.model.Digest;
import io.hoard.model.DigestAlgorithm;
import io.hoard.model.RepositoryName;
import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.inmemory.InMemoryDriver;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What a warm lookup costs in storage calls: the blob path opens the file and nothing else. */
final class WarmLookupTest {
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final StorageDriver counting = counting(new InMemoryDriver());
    private final DriverRegistry registry = new DriverRegistry(counting);
    private final RepositoryName name = RepositoryName.of("library/nginx");

    private StorageDriver counting(StorageDriver real) {
        return (StorageDriver) Proxy.newProxyInstance(StorageDriver.class.getClassLoader(), new Class<?>[] {StorageDriver.class},
                (proxy, method, args) -> {
                    calls.add(method.getName() + (args != null && args.length > 0 ? " " + args[0] : ""));
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private Digest push(byte[] content) {
        Upload upload = registry.repository(name).uploads().start();
        upload.write(ByteBuffer.wrap(content));
        return upload.commit(Digest.sha256(content)).digest();
    }

    @Test
    void aWarmBlobOpensItsFileAndAsksNothingElse() throws Exception {
        byte[] layer = "layer".getBytes(StandardCharsets.UTF_8);
        Digest digest = push(layer);
        registry.repository(name).blobs().open(digest, 0).close(); // warms up
        calls.clear();
        try (BlobContent content = registry.repository(name).blobs().open(digest, 0)) {
            assertThat(content.descriptor().size()).isEqualTo(layer.length);
        }
        assertThat(calls).hasSize(1).allSatisfy(c -> assertThat(c).startsWith("reader "));
        calls.clear();
        assertThat(registry.repository(name).blobs().stat(digest)).isPresent();
        assertThat(registry.statContent(digest)).isPresent();
        assertThat(calls).as("stat from memory").isEmpty();
    }

    @Test
    void aWarmManifestAndOriginNeedNoStorageCall() {
        Digest config = push("{}".getBytes(StandardCharsets.UTF_8));
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
                + "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":2,\"digest\":\"" + config + "\"},"
                + "\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
        Manifest stored = registry.repository(name).manifests().put(manifest, null, DigestAlgorithm.SHA256);
        registry.markOrigin(name, Origin.CACHED);
        calls.clear();
        assertThat(registry.repository(name).manifests().getInMemory(stored.digest())).isPresent();
        assertThat(registry.repository(name).manifests().get(stored.digest())).isPresent();
        assertThat(registry.origin(name)).isEqualTo(Origin.CACHED);
        assertThat(registry.repository(name).exists()).isTrue();
        assertThat(registry.repository(name).exists()).isTrue();
        assertThat(calls).as("one look for 'holds content', then memory").hasSizeLessThanOrEqualTo(2);
        calls.clear();
        assertThat(registry.repository(name).exists()).isTrue();
        assertThat(calls).isEmpty();
    }

    @Test
    void aDeleteIsSeenAtOnceAndContentGoneElsewhereOnTheNextOpen() throws Exception {
        Digest digest = push("gone".getBytes(StandardCharsets.UTF_8));
        assertThat(registry.repository(name).blobs().stat(digest)).isPresent();
        registry.repository(name).blobs().delete(digest);
        assertThat(registry.repository(name).blobs().stat(digest)).isEmpty();

        Digest other = push("elsewhere".getBytes(StandardCharsets.UTF_8));
        registry.repository(name).blobs().open(other, 0).close();
        // Another instance's garbage collection removed the content behind this one's back.
        counting.delete("/docker/registry/v2/blobs/sha256/" + other.hex().substring(0, 2) + "/" + other.hex());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> registry.repository(name).blobs().open(other, 0))
                .isInstanceOf(io.hoard.model.RegistryException.class).hasMessageContaining("not in repository");
        assertThat(registry.statContent(other)).isEmpty();
    }
}
