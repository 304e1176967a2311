package io.hoard.server.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hoard.model.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Writes OCI image layouts with real (tar+gzip) layers, for skopeo to push without Docker Hub. */
public final class OciLayout {
    static final ObjectMapper JSON = new ObjectMapper();
    public static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String INDEX = "application/vnd.oci.image.index.v1+json";

    private final Path dir;
    private final ArrayNode manifests = JSON.createArrayNode();

    public OciLayout(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    }

    /** A descriptor of content written to the layout. */
    public record Blob(Digest digest, long size, String mediaType) {
        ObjectNode json() {
            ObjectNode n = JSON.createObjectNode();
            n.put("mediaType", mediaType);
            n.put("digest", digest.toString());
            n.put("size", size);
            return n;
        }
    }

    public Blob blob(byte[] content, String mediaType) throws IOException {
        Digest d = Digest.sha256(content);
        Files.write(dir.resolve("blobs/sha256/" + d.hex()), content);
        return new Blob(d, content.length, mediaType);
    }

    /** An image of {@code layerCount} layers, each one file of random bytes; returns its manifest. */
    public Blob image(String os, String arch, int layerCount, int layerSize, long seed) throws IOException {
        ObjectNode config = JSON.createObjectNode();
        config.put("architecture", arch).put("os", os);
        config.putObject("config").putArray("Cmd").add("/bin/sh");
        ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        ArrayNode layers = JSON.createArrayNode();
        Random random = new Random(seed);
        for (int i = 0; i < layerCount; i++) {
            byte[] data = new byte[layerSize];
            random.nextBytes(data);
            byte[] tar = tar("layer-" + seed + "-" + i + ".bin", data);
            diffIds.add(Digest.sha256(tar).toString());
            layers.add(blob(gzip(tar), "application/vnd.oci.image.layer.v1.tar+gzip").json());
        }
        Blob configBlob = blob(JSON.writeValueAsBytes(config), "application/vnd.oci.image.config.v1+json");
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2).put("mediaType", MANIFEST);
        manifest.set("config", configBlob.json());
        manifest.set("layers", layers);
        return blob(JSON.writeValueAsBytes(manifest), MANIFEST);
    }

    /** An index of {@code images} with their platforms ({@code os/arch} each). */
    public Blob index(List<Blob> images, List<String> platforms) throws IOException {
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2).put("mediaType", INDEX);
        ArrayNode entries = index.putArray("manifests");
        for (int i = 0; i < images.size(); i++) {
            ObjectNode e = images.get(i).json();
            String[] p = platforms.get(i).split("/");
            e.putObject("platform").put("os", p[0]).put("architecture", p[1]);
            entries.add(e);
        }
        return blob(JSON.writeValueAsBytes(index), INDEX);
    }

    /** Names {@code top} in index.json as {@code tag}; call once per tag, then {@link #write()}. */
    public OciLayout tag(Blob top, String tag) {
        ObjectNode e = top.json();
        e.putObject("annotations").put("org.opencontainers.image.ref.name", tag);
        manifests.add(e);
        return this;
    }

    public Path write() throws IOException {
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.set("manifests", manifests);
        Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
        return dir;
    }

    static byte[] tar(String name, byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            TarArchiveEntry entry = new TarArchiveEntry(name);
            entry.setSize(data.length);
            entry.setMode(0644);
            tar.putArchiveEntry(entry);
            tar.write(data);
            tar.closeArchiveEntry();
        }
        return out.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
