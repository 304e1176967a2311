package io.hoard.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.DigestAlgorithm;
import io.hoard.model.ErrorCode;
import io.hoard.model.MediaTypes;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.base.ValidatingStorageDriver;
import io.hoard.storage.driver.inmemory.InMemoryDriver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The registry store over the in-memory driver: commits, links, manifests, tags, referrers. */
final class DriverRegistryTest {
    private final StorageDriver driver = new ValidatingStorageDriver(new InMemoryDriver());
    private final DriverRegistry registry = new DriverRegistry(driver);
    private final Repository repo = registry.repository(RepositoryName.of("team/app"));

    private Digest upload(Repository r, byte[] content) {
        try (Upload u = r.uploads().start()) {
            u.write(ByteBuffer.wrap(content));
            return u.commit(Digest.sha256(content)).digest();
        }
    }

    private static RegistryException error(ErrorCode code) {
        return new RegistryException(code, "");
    }

    private static Consumer<Throwable> code(ErrorCode code) {
        return t -> assertThat(((RegistryException) t).code()).isEqualTo(code);
    }

    @Test
    void commitStoresContentAddressedAndLinked() throws IOException {
        byte[] content = "layer".getBytes(UTF_8);
        Digest d = upload(repo, content);
        assertThat(repo.blobs().stat(d)).contains(new Descriptor(d, 5, Descriptor.OCTET_STREAM));
        assertThat(driver.getContent(PathSpec.pathFor(new PathSpec.BlobData(d)))).isEqualTo(content);
        assertThat(registry.repository(RepositoryName.of("other")).blobs().stat(d)).isEmpty();
        assertThat(repo.exists()).isTrue();
    }

    @Test
    void digestMismatchCancelsAndStoresNothing() throws IOException {
        Upload u = repo.uploads().start();
        u.write(ByteBuffer.wrap("abc".getBytes(UTF_8)));
        Digest wrong = Digest.sha256("xyz".getBytes(UTF_8));
        assertThatThrownBy(() -> u.commit(wrong)).satisfies(code(ErrorCode.DIGEST_INVALID));
        assertThatThrownBy(() -> repo.uploads().resume(u.id())).satisfies(code(ErrorCode.BLOB_UPLOAD_UNKNOWN));
        assertThat(repo.blobs().stat(wrong)).isEmpty();
        assertThat(driver.list("/")).as("nothing at all is left in storage").isEmpty();
    }

    @Test
    void uploadResumesAcrossRequestsAndRegistryInstances() {
        byte[] content = "hello resumable world".getBytes(UTF_8);
        String id;
        try (Upload u = repo.uploads().start()) {
            id = u.id();
            u.write(ByteBuffer.wrap(content, 0, 6));
        }
        try (Upload u = repo.uploads().resume(id)) {
            assertThat(u.size()).isEqualTo(6);
            u.write(ByteBuffer.wrap(content, 6, 5));
        }
        // A new registry over the same storage has no hash state: it rehashes on commit.
        Upload u = new DriverRegistry(driver).repository(repo.name()).uploads().resume(id);
        u.write(ByteBuffer.wrap(content, 11, content.length - 11));
        assertThat(u.commit(Digest.sha256(content)).size()).isEqualTo(content.length);
    }

    @Test
    void sha512Digests() {
        byte[] content = "sha512 content".getBytes(UTF_8);
        Digest d = Digest.of(DigestAlgorithm.SHA512, content);
        try (Upload u = repo.uploads().start()) {
            u.write(ByteBuffer.wrap(content));
            assertThat(u.commit(d).digest()).isEqualTo(d);
        }
        assertThat(repo.blobs().stat(d)).isPresent();
    }

    @Test
    void manifestsTagsAndDeletes() {
        Digest config = upload(repo, "{}".getBytes(UTF_8));
        byte[] manifest = manifest(config, null);
        Manifest stored = repo.manifests().put(manifest, MediaTypes.OCI_MANIFEST, DigestAlgorithm.SHA256);
        assertThat(stored.digest()).isEqualTo(Digest.sha256(manifest));
        repo.tags().tag("v1", stored.digest());
        repo.tags().tag("latest", stored.digest());
        assertThat(repo.tags().list()).containsExactly("latest", "v1");
        assertThat(repo.manifests().get(stored.digest())).hasValueSatisfying(m -> {
            assertThat(m.content()).isEqualTo(manifest);
            assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        });
        repo.manifests().delete(stored.digest());
        assertThat(repo.manifests().exists(stored.digest())).isFalse();
        assertThat(repo.tags().list()).isEmpty();
        assertThatThrownBy(() -> repo.tags().untag("v1")).satisfies(code(ErrorCode.MANIFEST_UNKNOWN));
    }

    @Test
    void manifestWithMissingBlobIsRefused() {
        Digest missing = Digest.sha256("nope".getBytes(UTF_8));
        assertThatThrownBy(() -> repo.manifests().put(manifest(missing, null), null, DigestAlgorithm.SHA256))
                .satisfies(code(ErrorCode.MANIFEST_BLOB_UNKNOWN));
    }

    @Test
    void manifestWithWrongBlobSizeIsRefused() {
        Digest config = upload(repo, "{}".getBytes(UTF_8));
        byte[] m = manifest(config, null);
        byte[] lying = new String(m, UTF_8).replace("\"size\":2", "\"size\":3").getBytes(UTF_8);
        assertThatThrownBy(() -> repo.manifests().put(lying, null, DigestAlgorithm.SHA256))
                .satisfies(code(ErrorCode.MANIFEST_INVALID));
    }

    @Test
    void referrersAreIndexedBySubject() {
        Digest config = upload(repo, "{}".getBytes(UTF_8));
        Manifest subject = repo.manifests().put(manifest(config, null), null, DigestAlgorithm.SHA256);
        Manifest sbom = repo.manifests().put(manifest(config, subject), null, DigestAlgorithm.SHA256);
        assertThat(sbom.subject()).isEqualTo(subject.digest());
        List<Referrer> referrers = repo.manifests().referrers(subject.digest(), null);
        assertThat(referrers).extracting(r -> r.descriptor().digest()).containsExactly(sbom.digest());
        assertThat(referrers.get(0).artifactType()).isEqualTo("application/vnd.oci.image.config.v1+json");
        assertThat(repo.manifests().referrers(subject.digest(), "other/type")).isEmpty();
        repo.manifests().delete(sbom.digest());
        assertThat(repo.manifests().referrers(subject.digest(), null)).isEmpty();
    }

    @Test
    void catalogListsRepositoriesInOrderWithPaging() {
        for (String name : List.of("b", "a/x", "a", "c/d/e")) {
            upload(registry.repository(RepositoryName.of(name)), name.getBytes(UTF_8));
        }
        upload(repo, "x".getBytes(UTF_8));
        assertThat(registry.catalog(100, null)).containsExactly("a", "a/x", "b", "c/d/e", "team/app");
        assertThat(registry.catalog(2, "a/x")).containsExactly("b", "c/d/e");
    }

    @Test
    void mountLinksOnlyWhatTheSourceHas() {
        Digest d = upload(repo, "shared".getBytes(UTF_8));
        Repository target = registry.repository(RepositoryName.of("target"));
        assertThat(target.blobs().mount(d, repo.name())).isPresent();
        assertThat(target.blobs().stat(d)).isPresent();
        assertThat(target.blobs().mount(Digest.sha256("none".getBytes(UTF_8)), repo.name())).isEmpty();
    }

    @Test
    void purgerRemovesOnlyOldSessions() {
        Upload old;
        try (Upload u = repo.uploads().start()) {
            old = u;
        }
        assertThat(registry.purgeUploads(Duration.ofHours(1), Instant.now(), false)).isEmpty();
        assertThat(registry.purgeUploads(Duration.ofHours(1), Instant.now().plus(Duration.ofHours(2)), true)).hasSize(1);
        assertThat(registry.repository(repo.name()).uploads().resume(old.id()).size()).as("dry run keeps it").isZero();
        assertThat(registry.purgeUploads(Duration.ofHours(1), Instant.now().plus(Duration.ofHours(2)), false)).hasSize(1);
        assertThatThrownBy(() -> repo.uploads().resume(old.id())).satisfies(code(ErrorCode.BLOB_UPLOAD_UNKNOWN));
    }

    private static byte[] manifest(Digest config, Manifest subject) {
        String s = subject == null ? "" : ",\"subject\":{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%d}"
                .formatted(MediaTypes.OCI_MANIFEST, subject.digest(), subject.content().length);
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config + "\",\"size\":2},\"layers\":[]" + s + "}")
                .getBytes(UTF_8);
    }
}
