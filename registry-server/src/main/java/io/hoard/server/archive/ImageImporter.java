package io.hoard.server.archive;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.DigestAlgorithm;
import io.hoard.model.Json;
import io.hoard.model.MediaTypes;
import io.hoard.model.Reference;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.proxy.ProxyRouter;
import io.hoard.storage.CacheStorage;
import io.hoard.storage.ImageGraph;
import io.hoard.storage.Manifest;
import io.hoard.storage.Origin;
import io.hoard.storage.Repository;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.jspecify.annotations.Nullable;

/**
 * {@code hoard import}: OCI image layout archives ({@code index.json}; what {@code hoard export},
 * {@code skopeo copy ... oci-archive:} and docker 25+ write) and {@code docker save} archives
 * ({@code manifest.json} alone), plain or gzipped, into the store.
 *
 * <p>Nothing is stored until the whole archive has been read and checked: every blob's content
 * must hash to its name, every manifest's references must be in the archive, every layer of a
 * docker save image must match its config's {@code diff_ids}. A corrupt or truncated entry is
 * refused with its name and the store is left as it was. Then blobs are stored (moved from the
 * spool, on the filesystem), manifests stored children first, and tags set.
 */
public final class ImageImporter {
    private static final long MAX_METADATA = 4 * 1024 * 1024;
    private static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    private static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
    private static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /** What an import stored. */
    public record Result(List<String> images, int blobsStored, int blobsPresent) {
    }

    /** A file of the archive, spooled and hashed. */
    private record Spooled(Path file, Digest digest, long size) {
    }

    /** An image to store under {@code repository}, tagged {@code tag}. */
    private record Planned(RepositoryName repository, String tag, ImageGraph graph) {
    }

    private final CacheStorage storage;
    private final Path spoolParent;

    /** @param spoolParent where the archive is unpacked while it is checked (beside the data for local storage) */
    public ImageImporter(CacheStorage storage, Path spoolParent) {
        this.storage = storage;
        this.spoolParent = spoolParent;
    }

    /**
     * Imports {@code archive}; with {@code repository}, every image goes there (keeping its tag)
     * instead of the repository the archive names.
     *
     * @throws ArchiveException naming the entry or reference that is wrong; nothing was stored
     */
    public Result importArchive(Path archive, @Nullable String repository, PrintStream progress) throws IOException {
        RepositoryName into = repository == null ? null : RepositoryName.of(repository);
        Files.createDirectories(spoolParent);
        Path spool = Files.createTempDirectory(spoolParent, "import-");
        try {
            Map<String, Spooled> files = new HashMap<>();
            Map<String, byte[]> metadata = new HashMap<>();
            read(archive, spool, files, metadata);
            List<Planned> plan = metadata.containsKey("index.json") ? planOci(metadata.get("index.json"), files, into)
                    : metadata.containsKey("manifest.json") ? planDockerSave(metadata.get("manifest.json"), files, into)
                    : null;
            if (plan == null) {
                throw new ArchiveException(archive + " is neither an OCI image layout (index.json) nor a docker save "
                        + "archive (manifest.json)");
            }
            return store(plan, files, progress);
        } finally {
            deleteTree(spool);
        }
    }

    // ---- reading: every regular file spooled and hashed ----

    private static void read(Path archive, Path spool, Map<String, Spooled> files, Map<String, byte[]> metadata)
            throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive));
                InputStream in = gzipped(raw) ? new GzipCompressorInputStream(raw, true) : raw;
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            int n = 0;
            TarArchiveEntry entry;
            while (true) {
                try {
                    entry = tar.getNextEntry();
                } catch (IOException e) {
                    throw new ArchiveException(archive + " is not a readable tar archive after " + n + " entries: "
                            + e.getMessage());
                }
                if (entry == null) {
                    break;
                }
                n++;
                if (!entry.isFile()) {
                    continue;
                }
                String name = normalize(entry.getName());
                if (name.equals("index.json") || name.equals("manifest.json") || name.equals("oci-layout")
                        || name.equals("repositories")) {
                    if (entry.getSize() > MAX_METADATA) {
                        throw new ArchiveException("entry " + name + " is too large (" + entry.getSize() + " bytes)");
                    }
                    metadata.put(name, readEntry(tar, name, entry.getSize()));
                    continue;
                }
                Path file = spool.resolve("f" + files.size());
                MessageDigest sha256 = DigestAlgorithm.SHA256.newMessageDigest();
                long copied;
                try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha256)) {
                    copied = tar.transferTo(out);
                } catch (IOException e) {
                    throw new ArchiveException("entry " + name + " is truncated or unreadable: " + e.getMessage());
                }
                if (copied != entry.getSize()) {
                    throw new ArchiveException("entry " + name + " is truncated: " + copied + " of " + entry.getSize()
                            + " bytes");
                }
                Digest digest = Digest.fromHash(DigestAlgorithm.SHA256, sha256.digest());
                Optional<Digest> named = blobName(name);
                if (named.isPresent() && named.get().algorithm() == DigestAlgorithm.SHA256 && !named.get().equals(digest)) {
                    throw new ArchiveException("entry " + name + " is corrupt: its content hashes to " + digest);
                }
                files.put(name, new Spooled(file, digest, copied));
            }
        }
    }

    private static byte[] readEntry(TarArchiveInputStream tar, String name, long size) throws IOException {
        try {
            byte[] content = tar.readNBytes((int) size);
            if (content.length != size) {
                throw new ArchiveException("entry " + name + " is truncated: " + content.length + " of " + size + " bytes");
            }
            return content;
        } catch (ArchiveException e) {
            throw e;
        } catch (IOException e) {
            throw new ArchiveException("entry " + name + " is truncated or unreadable: " + e.getMessage());
        }
    }

    private static boolean gzipped(InputStream in) throws IOException {
        in.mark(2);
        int a = in.read();
        int b = in.read();
        in.reset();
        return a == 0x1f && b == 0x8b;
    }

    private static String normalize(String name) {
        String n = name;
        while (n.startsWith("./") || n.startsWith("/")) {
            n = n.substring(n.startsWith("./") ? 2 : 1);
        }
        return n;
    }

    /** The digest a {@code blobs/<alg>/<hex>} entry claims. */
    private static Optional<Digest> blobName(String name) {
        String[] p = name.split("/");
        if (p.length != 3 || !p[0].equals("blobs")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Digest.parse(p[1] + ":" + p[2]));
        } catch (RuntimeException notADigest) {
            return Optional.empty();
        }
    }

    // ---- planning: what the archive says, checked against what it holds ----

    private List<Planned> planOci(byte[] indexJson, Map<String, Spooled> files, @Nullable RepositoryName into)
            throws IOException {
        JsonNode index = json(indexJson, "index.json");
        List<Planned> plan = new ArrayList<>();
        for (JsonNode d : index.path("manifests")) {
            Digest digest = parseDigest(d.path("digest").asText(""), "index.json");
            JsonNode annotations = d.path("annotations");
            String name = annotations.path(ImageExporter.CONTAINERD_NAME).asText("");
            if (name.isEmpty()) {
                name = annotations.path(ImageExporter.REF_NAME).asText("");
            }
            Manifest root = ociManifest(files, digest, "index.json");
            ImageGraph graph = ImageGraph.of(root, child -> uncheckedOciManifest(files, child, root.digest()));
            checkBlobs(graph, files);
            plan.add(planned(name, into, graph, "index.json entry " + digest));
        }
        if (plan.isEmpty()) {
            throw new ArchiveException("index.json lists no images");
        }
        return plan;
    }

    private Manifest ociManifest(Map<String, Spooled> files, Digest digest, String from) throws IOException {
        Spooled file = files.get(ImageExporter.path(digest));
        if (file == null) {
            throw new ArchiveException(from + " names manifest " + digest + ", which is not in the archive");
        }
        if (file.size() > storage.maxManifestBytes()) {
            throw new ArchiveException("manifest " + digest + " is larger than " + storage.maxManifestBytes() + " bytes");
        }
        byte[] content = Files.readAllBytes(file.file());
        try {
            return ImageGraph.describe(content, digest);
        } catch (RegistryException e) {
            throw new ArchiveException("entry " + ImageExporter.path(digest) + " is not a manifest: " + e.detail());
        }
    }

    private Manifest uncheckedOciManifest(Map<String, Spooled> files, Digest digest, Digest parent) {
        try {
            return ociManifest(files, digest, "index " + parent);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void checkBlobs(ImageGraph graph, Map<String, Spooled> files) {
        for (Descriptor blob : graph.blobs()) {
            Spooled file = files.get(ImageExporter.path(blob.digest()));
            if (file == null) {
                throw new ArchiveException("the archive lacks blob " + blob.digest() + " that " + graph.root().digest()
                        + " references");
            }
            if (file.size() != blob.size()) {
                throw new ArchiveException("entry " + ImageExporter.path(blob.digest()) + " has " + file.size()
                        + " bytes, but the manifest says " + blob.size());
            }
        }
    }

    /** docker save's {@code manifest.json}: a docker schema 2 manifest is made for each image. */
    private List<Planned> planDockerSave(byte[] manifestJson, Map<String, Spooled> files, @Nullable RepositoryName into)
            throws IOException {
        JsonNode entries = json(manifestJson, "manifest.json");
        List<Planned> plan = new ArrayList<>();
        for (JsonNode entry : entries) {
            String configPath = normalize(entry.path("Config").asText(""));
            Spooled config = files.get(configPath);
            if (config == null) {
                throw new ArchiveException("manifest.json names config " + configPath + ", which is not in the archive");
            }
            JsonNode diffIds = json(Files.readAllBytes(config.file()), configPath).path("rootfs").path("diff_ids");
            JsonNode layerPaths = entry.path("Layers");
            if (layerPaths.size() != diffIds.size()) {
                throw new ArchiveException(configPath + " lists " + diffIds.size() + " layers, manifest.json "
                        + layerPaths.size());
            }
            StringBuilder layers = new StringBuilder();
            for (int i = 0; i < layerPaths.size(); i++) {
                String layerPath = normalize(layerPaths.get(i).asText(""));
                Spooled layer = files.get(layerPath);
                if (layer == null) {
                    throw new ArchiveException("manifest.json names layer " + layerPath + ", which is not in the archive");
                }
                boolean gzip = isGzip(layer.file());
                if (!gzip && !layer.digest().toString().equals(diffIds.get(i).asText())) {
                    throw new ArchiveException("entry " + layerPath + " is corrupt: it hashes to " + layer.digest()
                            + " but the image config says " + diffIds.get(i).asText());
                }
                layers.append(i == 0 ? "" : ",").append(descriptor(gzip ? DOCKER_LAYER_GZIP : DOCKER_LAYER, layer));
            }
            byte[] content = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"config\":"
                    + descriptor(DOCKER_CONFIG, config) + ",\"layers\":[" + layers + "]}").getBytes(StandardCharsets.UTF_8);
            Digest digest = Digest.sha256(content);
            Manifest manifest = new Manifest(content, MediaTypes.DOCKER_MANIFEST, digest, null);
            ImageGraph graph = ImageGraph.of(manifest, child -> {
                throw new ArchiveException("a docker save image has no child manifests");
            });
            JsonNode tags = entry.path("RepoTags");
            if (tags.isEmpty()) {
                plan.add(planned("", into, graph, "manifest.json entry " + configPath));
            }
            for (JsonNode tag : tags) {
                plan.add(planned(tag.asText(""), into, graph, "manifest.json entry " + configPath));
            }
            for (Descriptor blob : graph.blobs()) {
                files.putIfAbsent(ImageExporter.path(blob.digest()), blob.digest().equals(config.digest()) ? config
                        : findByDigest(files, blob.digest()));
            }
        }
        return plan;
    }

    private static Spooled findByDigest(Map<String, Spooled> files, Digest digest) {
        return files.values().stream().filter(f -> f != null && f.digest().equals(digest)).findFirst().orElseThrow();
    }

    private static String descriptor(String mediaType, Spooled blob) {
        return "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%d}".formatted(mediaType, blob.digest(), blob.size());
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return gzipped(in);
        }
    }

    /**
     * Where an image named {@code name} goes: {@code [host/]repo[:tag]} as docker and containerd name
     * images, a bare tag (an OCI {@code ref.name}) only with {@code into}; {@code into} replaces the
     * repository.
     */
    private static Planned planned(String name, @Nullable RepositoryName into, ImageGraph graph, String what) {
        String repo = name.contains("@") ? name.substring(0, name.indexOf('@')) : name;
        String tag = null;
        int colon = repo.lastIndexOf(':');
        if (colon > repo.lastIndexOf('/')) {
            tag = repo.substring(colon + 1);
            repo = repo.substring(0, colon);
        } else if (!repo.contains("/") && !repo.isEmpty()) {
            tag = repo; // a bare OCI ref.name: a tag
            repo = "";
        }
        String t = new Reference.Tag(tag != null ? tag : "latest").name();
        if (into != null) {
            return new Planned(into, t, graph);
        }
        if (repo.isEmpty()) {
            throw new ArchiveException(what + (name.isEmpty() ? " has no name" : " is named only '" + name + "'")
                    + ", no repository; give one with --repository");
        }
        return new Planned(storedName(repo), t, graph);
    }

    /** Docker Hub names lose their host ({@code docker.io/library/alpine} → {@code library/alpine}); others keep it. */
    static RepositoryName storedName(String name) {
        int slash = name.indexOf('/');
        if (slash > 0 && ProxyRouter.isDockerHub(name.substring(0, slash))) {
            return RepositoryName.of(ProxyRouter.hubName(name.substring(slash + 1)));
        }
        try {
            return RepositoryName.of(name);
        } catch (RegistryException e) {
            throw new ArchiveException("the archive names repository '" + name + "', which is no valid repository name ("
                    + e.detail() + "); give one with --repository");
        }
    }

    // ---- storing: only now is the store written ----

    private Result store(List<Planned> plan, Map<String, Spooled> files, PrintStream progress) throws IOException {
        int stored = 0;
        int present = 0;
        List<String> images = new ArrayList<>();
        for (Planned p : plan) {
            Repository repo = storage.repository(p.repository());
            if (storage.origin(p.repository()) == Origin.UNKNOWN) {
                storage.markOrigin(p.repository(), Origin.LOCAL); // imported like a push: served as it is, never evicted
            }
            for (Descriptor blob : p.graph().blobs()) {
                if (storage.linkBlob(p.repository(), blob.digest()).isPresent()) {
                    present++;
                    continue;
                }
                Spooled file = files.get(ImageExporter.path(blob.digest()));
                if (file == null) {
                    throw new IllegalStateException("checked when planned: " + blob.digest());
                }
                Path copy = file.file().resolveSibling(file.file().getFileName() + "-" + stored);
                Files.copy(file.file(), copy); // the spool file may serve another repository of the archive
                storage.importVerified(p.repository(), blob.digest(), copy);
                stored++;
            }
            for (Manifest m : p.graph().manifests()) {
                repo.manifests().put(m.content(), m.mediaType(), m.digest().algorithm());
            }
            repo.tags().tag(p.tag(), p.graph().root().digest());
            String image = p.repository() + ":" + p.tag();
            images.add(image);
            progress.println("imported " + image + " (" + p.graph().root().digest() + ")");
        }
        return new Result(images, stored, present);
    }

    private static JsonNode json(byte[] content, String what) {
        try {
            return Json.MAPPER.readTree(content);
        } catch (IOException e) {
            throw new ArchiveException(what + " is not valid JSON: " + e.getMessage());
        }
    }

    private static Digest parseDigest(String text, String where) {
        try {
            return Digest.parse(text);
        } catch (RegistryException e) {
            throw new ArchiveException(where + " has an invalid digest '" + Digest.abbreviate(text) + "'");
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** An archive that cannot be imported; the message names the entry or reference. */
    public static final class ArchiveException extends RuntimeException {
        public ArchiveException(String message) {
            super(message);
        }
    }
}
