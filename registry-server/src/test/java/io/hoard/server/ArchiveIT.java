package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoard.server.it.Command;
import io.hoard.server.it.Dockerd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hoard export} and {@code hoard import} with the real tools: export → {@code docker load},
 * {@code docker save} (with and without its OCI index) → import → {@code docker pull}, and
 * {@code skopeo copy ... oci-archive:} → import, all keeping the image's digests; corrupt and
 * truncated archives are refused by name and leave the store as it was.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
final class ArchiveIT {
    @TempDir
    static Path work;

    private TestRegistry source;
    private TestRegistry target;
    private Dockerd dockerd;
    private String sourceHost;
    private String targetHost;
    private String imageId;
    private Path sourceConfig;
    private Path targetConfig;

    @BeforeAll
    void start() throws Exception {
        Command.require("skopeo");
        sourceConfig = config("source");
        targetConfig = config("target");
        source = TestRegistry.filesystem(work.resolve("source"), "");
        target = TestRegistry.filesystem(work.resolve("target"), "");
        sourceHost = "127.0.0.1:" + source.app.address().getPort();
        targetHost = "127.0.0.1:" + target.app.address().getPort();
        dockerd = Dockerd.start("{\"insecure-registries\": [\"" + sourceHost + "\", \"" + targetHost + "\"]}");
        dockerd.buildBusyboxImages(work, sourceHost + "/arc/base:1", sourceHost + "/arc/app:1",
                TestRegistry.randomBytes(800_000, 5));
        dockerd.docker("push", sourceHost + "/arc/app:1").run().orFail("docker push");
        imageId = id(sourceHost + "/arc/app:1");
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {dockerd, source, target}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void exportLoadsIntoDockerWithTheSameImage() throws Exception {
        Path out = work.resolve("export.tar");
        Run export = hoard("export", "--config", sourceConfig.toString(), "arc/app:1", "-o", out.toString());
        assertThat(export.status).as(export.err).isZero();
        assertThat(export.out).contains("exported arc/app:1");
        Map<String, byte[]> entries = entries(out);
        assertThat(entries).containsKeys("oci-layout", "index.json", "manifest.json");

        dockerd.docker("rmi", "-f", imageId).run();
        String loaded = dockerd.docker("load", "-i", out.toString()).run().orFail("docker load").stdout();
        assertThat(loaded).contains("arc/app:1");
        assertThat(id("arc/app:1")).isEqualTo(imageId);
        dockerd.docker("tag", "arc/app:1", sourceHost + "/arc/app:1").run().orFail("docker tag");
    }

    @Test
    void dockerSaveImportsAndPullsWithTheSameImage() throws Exception {
        Path saved = work.resolve("saved.tar");
        dockerd.docker("save", "-o", saved.toString(), sourceHost + "/arc/app:1").run().orFail("docker save");
        Run imported = hoard("import", "--config", targetConfig.toString(), saved.toString(), "--repository", "team/saved");
        assertThat(imported.status).as(imported.err).isZero();
        assertThat(imported.out).contains("imported team/saved:1");
        assertPullsAs(targetHost + "/team/saved:1");

        // An older docker's archive: manifest.json alone, layers as they were saved.
        Path legacy = rewrite(saved, work.resolve("legacy.tar"), (name, content) ->
                name.equals("index.json") || name.equals("oci-layout") ? null : content);
        Run old = hoard("import", "--config", targetConfig.toString(), legacy.toString(), "--repository", "team/legacy");
        assertThat(old.status).as(old.err).isZero();
        assertPullsAs(targetHost + "/team/legacy:1");
    }

    @Test
    void skopeoOciArchivesImportUnderTheirName() throws Exception {
        Path archive = work.resolve("skopeo.tar");
        Command.skopeo("copy", "--src-tls-verify=false", "docker://" + sourceHost + "/arc/app:1",
                "oci-archive:" + archive + ":arc/skopeo:7");
        Map<String, byte[]> entries = entries(archive);
        JsonNode index = TestRegistry.JSON.readTree(entries.get("index.json"));
        String digest = index.path("manifests").get(0).path("digest").asText();
        // skopeo writes OCI media types, so the config (the image ID) is the one in the archive.
        String config = TestRegistry.JSON.readTree(entries.get("blobs/sha256/" + digest.substring(7)))
                .path("config").path("digest").asText();
        Run imported = hoard("import", "--config", targetConfig.toString(), archive.toString());
        assertThat(imported.status).as(imported.err).isZero();
        var manifest = target.get("/v2/arc/skopeo/manifests/7", "Accept", TestRegistry.OCI_MANIFEST);
        assertThat(manifest.statusCode()).isEqualTo(200);
        assertThat(manifest.headers().firstValue("Docker-Content-Digest")).hasValue(digest);
        assertPullsAs(targetHost + "/arc/skopeo:7", config);
    }

    @Test
    void corruptAndTruncatedArchivesAreRefusedByNameAndStoreNothing() throws Exception {
        Path out = work.resolve("to-break.tar");
        assertThat(hoard("export", "--config", sourceConfig.toString(), "arc/app:1", "-o", out.toString()).status).isZero();
        String layer = entries(out).entrySet().stream().filter(e -> e.getKey().startsWith("blobs/")
                && e.getValue().length > 500_000).map(Map.Entry::getKey).findFirst().orElseThrow();
        Path corrupt = rewrite(out, work.resolve("corrupt.tar"), (name, content) -> {
            if (name.equals(layer)) {
                content[content.length / 2] ^= 1;
            }
            return content;
        });
        Path truncated = work.resolve("truncated.tar");
        byte[] whole = Files.readAllBytes(out);
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
        Path empty = work.resolve("fresh");
        Path freshConfig = config("fresh");

        Run bad = hoard("import", "--config", freshConfig.toString(), corrupt.toString(), "--repository", "x/y");
        assertThat(bad.status).isEqualTo(1);
        assertThat(bad.err).contains("entry " + layer + " is corrupt");
        Run cut = hoard("import", "--config", freshConfig.toString(), truncated.toString(), "--repository", "x/y");
        assertThat(cut.status).isEqualTo(1);
        assertThat(cut.err).contains("truncated");
        assertThat(files(empty)).as("nothing stored").isEmpty();

        Map<String, Long> before = snapshot(work.resolve("target"));
        Run again = hoard("import", "--config", targetConfig.toString(), corrupt.toString(), "--repository", "x/z");
        assertThat(again.status).isEqualTo(1);
        assertThat(snapshot(work.resolve("target"))).isEqualTo(before);
    }

    private void assertPullsAs(String image) throws Exception {
        assertPullsAs(image, imageId);
    }

    private void assertPullsAs(String image, String id) throws Exception {
        dockerd.docker("rmi", image).run();
        dockerd.docker("pull", image).run().orFail("docker pull " + image);
        assertThat(id(image)).isEqualTo(id);
    }

    private String id(String image) throws Exception {
        return dockerd.docker("image", "inspect", "--format", "{{.Id}}", image).run().orFail("docker inspect").stdout().trim();
    }

    private static Path config(String name) throws IOException {
        return Files.writeString(work.resolve(name + ".yml"), "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: "
                + work.resolve(name) + "\nhttp:\n  addr: 127.0.0.1:0\n");
    }

    private record Run(int status, String out, String err) {
    }

    private static Run hoard(String command, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ArchiveCommands.run(command, List.of(args), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Map<String, byte[]> entries(Path tar) throws IOException {
        Map<String, byte[]> entries = new TreeMap<>();
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
                if (e.isFile()) {
                    entries.put(e.getName().replaceFirst("^\\./", ""), t.readAllBytes());
                }
            }
        }
        return entries;
    }

    /** Copies a tar, each file through {@code change} (null drops it). */
    private static Path rewrite(Path from, Path to, BiFunction<String, byte[], byte[]> change) throws IOException {
        try (OutputStream file = Files.newOutputStream(to); TarArchiveOutputStream out = new TarArchiveOutputStream(file)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> e : entries(from).entrySet()) {
                byte[] content = change.apply(e.getKey(), e.getValue());
                if (content != null) {
                    TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
                    entry.setSize(content.length);
                    out.putArchiveEntry(entry);
                    out.write(content);
                    out.closeArchiveEntry();
                }
            }
        }
        return to;
    }

    private static List<Path> files(Path root) throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.toString().contains("/_spool/")).toList();
        }
    }

    private static Map<String, Long> snapshot(Path root) throws IOException {
        Map<String, Long> m = new TreeMap<>();
        for (Path p : files(root)) {
            m.put(root.relativize(p).toString(), Files.size(p));
        }
        return m;
    }
}
