package io.hoard.server.archive;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.ErrorCode;
import io.hoard.model.ImageReference;
import io.hoard.model.Json;
import io.hoard.model.MediaTypes;
import io.hoard.model.Reference;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.storage.BlobContent;
import io.hoard.storage.ImageGraph;
import io.hoard.storage.Manifest;
import io.hoard.storage.ManifestParser;
import io.hoard.storage.Registry;
import io.hoard.storage.Repository;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * {@code hoard export}: images of the store as one OCI image layout archive ({@code oci-layout},
 * {@code index.json}, {@code blobs/<alg>/<hex>}) that also carries docker's {@code manifest.json},
 * as {@code docker save} writes since docker 25, so both {@code docker load} and OCI tools (skopeo,
 * crane, containerd) read it. Only reads the store, so it is safe while registries serve it. The
 * archive is written beside the target and renamed into place: a failed export leaves nothing.
 */
public final class ImageExporter {
    static final String REF_NAME = "org.opencontainers.image.ref.name";
    static final String CONTAINERD_NAME = "io.containerd.image.name";

    /** What an export wrote. */
    public record Result(int images, int blobs, long bytes) {
    }

    private record Image(String name, String tag, Manifest root, ImageGraph graph, Repository repository) {
    }

    private final Registry registry;

    public ImageExporter(Registry registry) {
        this.registry = registry;
    }

    /**
     * Writes {@code references} ({@code repository:tag} or {@code repository@digest}, as stored) to {@code out}.
     *
     * @throws RegistryException naming what is missing from the store
     */
    public Result export(List<String> references, Path out, PrintStream progress) throws IOException {
        List<Image> images = new ArrayList<>();
        for (String reference : references) {
            images.add(resolve(reference));
        }
        Path partial = out.resolveSibling("." + out.getFileName() + ".partial");
        Set<Digest> written = new LinkedHashSet<>();
        long bytes = 0;
        try (OutputStream file = Files.newOutputStream(partial);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            entry(tar, "oci-layout", Json.MAPPER.writeValueAsBytes(Map.of("imageLayoutVersion", "1.0.0")));
            for (Image image : images) {
                for (Descriptor blob : image.graph().blobs()) {
                    if (written.add(blob.digest())) {
                        bytes += blob(tar, image, blob);
                    }
                }
                for (Manifest m : image.graph().manifests()) {
                    if (written.add(m.digest())) {
                        entry(tar, path(m.digest()), m.content());
                        bytes += m.content().length;
                    }
                }
                progress.println("exported " + image.name() + (image.tag().isEmpty() ? "@" + image.root().digest()
                        : ":" + image.tag()) + " (" + image.root().digest() + ")");
            }
            entry(tar, "index.json", Json.MAPPER.writeValueAsBytes(index(images)));
            entry(tar, "manifest.json", Json.MAPPER.writeValueAsBytes(dockerManifests(images)));
            tar.finish();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new Result(images.size(), written.size(), bytes);
    }

    private Image resolve(String reference) {
        ImageReference parts = ImageReference.split(reference);
        String name = parts.name();
        Repository repo = registry.repository(RepositoryName.of(name));
        Reference ref = parts.reference();
        Digest digest = switch (ref) {
            case Reference.ByDigest d -> d.digest();
            case Reference.Tag t -> repo.tags().get(t.name()).orElseThrow(() -> new RegistryException(
                    ErrorCode.MANIFEST_UNKNOWN, "the store has no tag " + name + ":" + t.name()));
        };
        Manifest root = manifest(repo, name, digest);
        ImageGraph graph = ImageGraph.of(root, child -> manifest(repo, name, child));
        for (Descriptor blob : graph.blobs()) {
            if (repo.blobs().stat(blob.digest()).isEmpty()) {
                throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + blob.digest() + " of " + reference
                        + " is not in the store (a cache holds only what was pulled: pull the whole image through Hoard "
                        + "first)");
            }
        }
        return new Image(name, ref instanceof Reference.Tag t ? t.name() : "", root, graph, repo);
    }

    private static Manifest manifest(Repository repo, String name, Digest digest) {
        return repo.manifests().get(digest).orElseThrow(() -> new RegistryException(ErrorCode.MANIFEST_UNKNOWN,
                "the store has no manifest " + name + "@" + digest));
    }

    private static long blob(TarArchiveOutputStream tar, Image image, Descriptor blob) throws IOException {
        try (BlobContent content = image.repository().blobs().open(blob.digest(), 0);
                InputStream in = Channels.newInputStream(content.channel())) {
            TarArchiveEntry e = new TarArchiveEntry(path(blob.digest()));
            e.setSize(content.descriptor().size());
            tar.putArchiveEntry(e);
            long copied = in.transferTo(tar);
            tar.closeArchiveEntry();
            if (copied != content.descriptor().size()) {
                throw new IOException("blob " + blob.digest() + " ended after " + copied + " of "
                        + content.descriptor().size() + " bytes");
            }
            return copied;
        }
    }

    private static Map<String, Object> index(List<Image> images) {
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (Image image : images) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("mediaType", image.root().mediaType());
            d.put("digest", image.root().digest().toString());
            d.put("size", image.root().content().length);
            if (!image.tag().isEmpty()) {
                d.put("annotations", Map.of(CONTAINERD_NAME, image.name() + ":" + image.tag(), REF_NAME, image.tag()));
            }
            manifests.add(d);
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.put("manifests", manifests);
        return index;
    }

    /** docker's {@code manifest.json}: one entry per image (for an index, its linux/amd64 image, else its first). */
    private static List<Map<String, Object>> dockerManifests(List<Image> images) throws IOException {
        List<Map<String, Object>> entries = new ArrayList<>();
        for (Image image : images) {
            Manifest m = image.root();
            if (MediaTypes.isIndex(m.mediaType())) {
                m = platformImage(image);
                if (m == null) {
                    continue;
                }
            }
            JsonNode root = Json.MAPPER.readTree(m.content());
            List<String> layers = new ArrayList<>();
            for (JsonNode layer : root.path("layers")) {
                layers.add(path(Digest.parse(layer.path("digest").asText())));
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("Config", path(Digest.parse(root.path("config").path("digest").asText())));
            entry.put("RepoTags", image.tag().isEmpty() ? List.of() : List.of(image.name() + ":" + image.tag()));
            entry.put("Layers", layers);
            entries.add(entry);
        }
        return entries;
    }

    private static @org.jspecify.annotations.Nullable Manifest platformImage(Image image) {
        Manifest first = null;
        for (ManifestParser.IndexEntry e : ManifestParser.indexEntries(image.root().content())) {
            Manifest child = image.graph().manifests().stream().filter(m -> m.digest().equals(e.descriptor().digest()))
                    .findFirst().orElse(null);
            if (child == null || MediaTypes.isIndex(child.mediaType()) || ManifestParser.referencedBlobs(child).isEmpty()) {
                continue;
            }
            if ("linux".equals(e.os()) && "amd64".equals(e.architecture())) {
                return child;
            }
            first = first == null ? child : first;
        }
        return first;
    }

    static String path(Digest d) {
        return "blobs/" + d.algorithm().id() + "/" + d.hex();
    }

    private static void entry(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(content.length);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
