package io.hoard.server;

import static io.hoard.server.TestRegistry.randomBytes;
import static io.hoard.server.TestRegistry.withQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.model.Digest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the filesystem driver stored survives a restart, in distribution's layout. */
final class RestartTest {

    @Test
    void contentPushedBeforeRestartIsServedAfter(@TempDir Path root) throws Exception {
        byte[] layer = randomBytes(1_500_000, 1);
        byte[] manifest;
        byte[] pending = randomBytes(400_000, 2);
        String uploadLocation;
        try (TestRegistry before = TestRegistry.filesystem(root, "")) {
            manifest = before.pushImage("restart/app", "v1", layer);
            uploadLocation = before.startUpload("restart/app");
            HttpResponse<byte[]> patch = before.send(before.request(uploadLocation)
                    .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOf(pending, 100_000))));
            assertThat(patch.statusCode()).isEqualTo(202);
        }
        Digest layerDigest = Digest.sha256(layer);
        assertThat(root.resolve("docker/registry/v2/blobs/sha256/" + layerDigest.hex().substring(0, 2) + "/"
                + layerDigest.hex() + "/data")).exists();
        assertThat(root.resolve("docker/registry/v2/repositories/restart/app/_manifests/tags/v1/current/link"))
                .content().isEqualTo(Digest.sha256(manifest).toString());
        try (TestRegistry after = TestRegistry.filesystem(root, "")) {
            HttpResponse<byte[]> byTag = after.get("/v2/restart/app/manifests/v1");
            assertThat(byTag.statusCode()).isEqualTo(200);
            assertThat(byTag.body()).isEqualTo(manifest);
            assertThat(after.get("/v2/restart/app/blobs/" + layerDigest).body()).isEqualTo(layer);
            // An upload begun before the restart can be finished after it (its hash is recomputed).
            String location = uploadLocation.replaceFirst("http://127.0.0.1:\\d+", after.base);
            HttpResponse<byte[]> put = after.send(after.request(withQuery(location, "digest=" + Digest.sha256(pending)))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(pending, 100_000, pending.length))));
            assertThat(put.statusCode()).isEqualTo(201);
            assertThat(after.get("/v2/restart/app/blobs/" + Digest.sha256(pending)).body()).isEqualTo(pending);
        }
        try (var tree = Files.walk(root)) {
            assertThat(tree.map(Path::toString)).noneMatch(p -> p.contains("~tmp-"));
        }
    }

    @Test
    void instancesSharingADataDirectoryNeverDeleteEachOthersSpools(@TempDir Path root) throws Exception {
        String proxy = "proxy:\n  remoteurl: http://127.0.0.1:1\n";
        Path spool = root.resolve("_spool");
        Path loose = Files.createDirectories(spool).resolve("from-an-old-version.spool");
        Files.writeString(loose, "x");
        Files.setLastModifiedTime(loose, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 2 * 86_400_000L));
        TestRegistry first = TestRegistry.filesystem(root, proxy);
        Path firstDir;
        try (var dirs = Files.list(spool)) {
            firstDir = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        assertThat(loose).doesNotExist();
        Path inFlight = Files.writeString(firstDir.resolve("abc-download.spool"), "bytes of a fill in flight");
        boolean firstClosed = false;
        try (TestRegistry second = TestRegistry.filesystem(root, proxy)) {
            assertThat(inFlight).as("the first instance is running: its spool stays").exists();
            first.close();
            firstClosed = true;
            try (TestRegistry third = TestRegistry.filesystem(root, proxy)) {
                assertThat(firstDir).as("the first instance is gone: its spool is removed").doesNotExist();
                try (var dirs = Files.list(spool)) {
                    assertThat(dirs.filter(Files::isDirectory).count()).as("the second's and the third's").isEqualTo(2);
                }
            }
        } finally {
            if (!firstClosed) {
                first.close();
            }
        }
    }
}
