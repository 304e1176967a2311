package io.hoard.server.archive;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hoard.model.Digest;
import io.hoard.model.DigestAlgorithm;
import io.hoard.model.RepositoryName;
import io.hoard.storage.DriverRegistry;
import io.hoard.storage.Repository;
import io.hoard.storage.Upload;
import io.hoard.storage.driver.inmemory.InMemoryDriver;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export and import between stores, multi-platform indexes included, and archives that must be refused. */
final class ImageArchiveTest {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private final PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, UTF_8);

    @TempDir
    Path dir;

    private static Digest blob(Repository repo, String content) {
        try (Upload u = repo.uploads().start()) {
            u.write(ByteBuffer.wrap(content.getBytes(UTF_8)));
            return u.commit(Digest.sha256(content.getBytes(UTF_8))).digest();
        }
    }

    private static String desc(String mediaType, Digest d, long size) {
        return "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%d}".formatted(mediaType, d, size);
    }

    private static Digest image(Repository repo, String config, String layer) {
        Digest c = blob(repo, config);
        Digest l = blob(repo, layer);
        byte[] m = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":"
                + desc("application/vnd.oci.image.config.v1+json", c, config.length()) + ",\"layers\":["
                + desc("application/vnd.oci.image.layer.v1.tar", l, layer.length()) + "]}").getBytes(UTF_8);
        return repo.manifests().put(m, OCI_MANIFEST, DigestAlgorithm.SHA256).digest();
    }

    @Test
    void aMultiPlatformImageRoundTripsWithItsDigests() throws Exception {
        DriverRegistry from = new DriverRegistry(new InMemoryDriver());
        Repository repo = from.repository(RepositoryName.of("team/multi"));
        Digest amd = image(repo, "{\"architecture\":\"amd64\"}", "amd64 layer");
        Digest arm = image(repo, "{\"architecture\":\"arm64\"}", "arm64 layer");
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":["
                + desc(OCI_MANIFEST, amd, repo.manifests().get(amd).orElseThrow().content().length).replace("}",
                        ",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}") + ","
                + desc(OCI_MANIFEST, arm, repo.manifests().get(arm).orElseThrow().content().length).replace("}",
                        ",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}}") + "]}";
        Digest top = repo.manifests().put(index.getBytes(UTF_8), OCI_INDEX, DigestAlgorithm.SHA256).digest();
        repo.tags().tag("2", top);

        Path archive = dir.resolve("multi.tar");
        ImageExporter.Result exported = new ImageExporter(from).export(List.of("team/multi:2"), archive, quiet);
        assertThat(exported.blobs()).isEqualTo(7); // 3 manifests, 2 configs, 2 layers

        DriverRegistry into = new DriverRegistry(new InMemoryDriver());
        ImageImporter.Result imported = new ImageImporter(into, dir.resolve("spool")).importArchive(archive, null, quiet);
        assertThat(imported.images()).containsExactly("team/multi:2");
        Repository copy = into.repository(RepositoryName.of("team/multi"));
        assertThat(copy.tags().get("2")).hasValue(top);
        assertThat(copy.manifests().get(arm)).isPresent();
        assertThat(copy.blobs().stat(Digest.sha256("arm64 layer".getBytes(UTF_8)))).isPresent();
        assertThat(dir.resolve("spool")).isEmptyDirectory();

        // gzipped, into another repository; what is there already is linked, not stored again
        Path gz = dir.resolve("multi.tar.gz");
        try (OutputStream out = new GzipCompressorOutputStream(Files.newOutputStream(gz))) {
            Files.copy(archive, out);
        }
        ImageImporter.Result again = new ImageImporter(into, dir.resolve("spool")).importArchive(gz, "other/name", quiet);
        assertThat(again.images()).containsExactly("other/name:2");
        assertThat(again.blobsStored()).isZero();
    }

    @Test
    void archivesThatCannotBeImportedSayWhy() throws Exception {
        DriverRegistry into = new DriverRegistry(new InMemoryDriver());
        ImageImporter importer = new ImageImporter(into, dir.resolve("spool"));
        Path notTar = Files.write(dir.resolve("random.tar"), "this is not a tar archive at all".repeat(40).getBytes(UTF_8));
        assertThatThrownBy(() -> importer.importArchive(notTar, "x/y", quiet))
                .isInstanceOf(ImageImporter.ArchiveException.class).hasMessageContaining("is not a readable tar archive");

        Path empty = tar("empty.tar", Map.of("hello.txt", "hi"));
        assertThatThrownBy(() -> importer.importArchive(empty, "x/y", quiet)).hasMessageContaining("neither an OCI image layout");

        Digest missing = Digest.sha256("absent".getBytes(UTF_8));
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":"
                + desc("application/vnd.oci.image.config.v1+json", missing, 6) + ",\"layers\":[]}";
        Digest m = Digest.sha256(manifest.getBytes(UTF_8));
        String indexJson = "{\"schemaVersion\":2,\"manifests\":[" + desc(OCI_MANIFEST, m, manifest.length()) + "]}";
        Path lacking = tar("lacking.tar", Map.of("index.json", indexJson, "blobs/sha256/" + m.hex(), manifest));
        assertThatThrownBy(() -> importer.importArchive(lacking, "x/y", quiet)).hasMessageContaining("lacks blob " + missing);
        Path unnamed = tar("unnamed.tar", Map.of("index.json", indexJson, "blobs/sha256/" + m.hex(), manifest,
                "blobs/sha256/" + missing.hex(), "absent"));
        assertThatThrownBy(() -> importer.importArchive(unnamed, null, quiet)).hasMessageContaining("--repository");
        Path lying = tar("lying.tar", Map.of("index.json", indexJson, "blobs/sha256/" + m.hex(), manifest + " ",
                "blobs/sha256/" + missing.hex(), "absent"));
        assertThatThrownBy(() -> importer.importArchive(lying, "x/y", quiet))
                .hasMessageContaining("entry blobs/sha256/" + m.hex() + " is corrupt");
        assertThat(into.catalog(10, null)).as("nothing stored").isEmpty();

        DriverRegistry from = new DriverRegistry(new InMemoryDriver());
        assertThatThrownBy(() -> new ImageExporter(from).export(List.of("no/such:1"), dir.resolve("x.tar"), quiet))
                .hasMessageContaining("no tag no/such:1");
        assertThat(dir.resolve("x.tar")).doesNotExist();
    }

    private Path tar(String name, Map<String, String> files) throws Exception {
        Path path = dir.resolve(name);
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(path))) {
            for (Map.Entry<String, String> f : new ArrayList<>(files.entrySet())) {
                byte[] content = f.getValue().getBytes(UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(content.length);
                out.putArchiveEntry(e);
                out.write(content);
                out.closeArchiveEntry();
            }
        }
        return path;
    }
}
