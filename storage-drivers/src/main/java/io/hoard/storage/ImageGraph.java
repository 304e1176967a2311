package io.hoard.storage;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.ErrorCode;
import io.hoard.model.MediaTypes;
import io.hoard.model.RegistryException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Everything an image consists of: its manifest or index with every child manifest (children
 * before the index that lists them, so they can be stored in that order), and every blob they
 * reference (configs, layers; foreign layers left out), each once.
 */
public record ImageGraph(Manifest root, List<Manifest> manifests, List<Descriptor> blobs) {
    private static final int MAX_DEPTH = 4;

    /**
     * Walks the image from {@code root}, asking {@code children} for each child manifest by digest.
     *
     * @throws RegistryException {@code MANIFEST_INVALID} for indexes nested deeper than a few levels
     */
    public static ImageGraph of(Manifest root, Function<Digest, Manifest> children) {
        Map<Digest, Manifest> manifests = new LinkedHashMap<>();
        Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
        collect(root, children, manifests, blobs, 0);
        return new ImageGraph(root, new ArrayList<>(manifests.values()), new ArrayList<>(blobs.values()));
    }

    private static void collect(Manifest m, Function<Digest, Manifest> children, Map<Digest, Manifest> manifests,
            Map<Digest, Descriptor> blobs, int depth) {
        if (manifests.containsKey(m.digest())) {
            return;
        }
        if (MediaTypes.isIndex(m.mediaType())) {
            if (depth >= MAX_DEPTH) {
                throw new RegistryException(ErrorCode.MANIFEST_INVALID, "indexes nested deeper than " + MAX_DEPTH + " levels");
            }
            for (ManifestParser.IndexEntry entry : ManifestParser.indexEntries(m.content())) {
                collect(children.apply(entry.descriptor().digest()), children, manifests, blobs, depth + 1);
            }
        } else {
            for (Descriptor blob : ManifestParser.referencedBlobs(m)) {
                blobs.putIfAbsent(blob.digest(), blob);
            }
        }
        manifests.put(m.digest(), m);
    }

    /** A manifest as stored or received: media type and subject read from the bytes. */
    public static Manifest describe(byte[] content, Digest digest) {
        return ManifestParser.describe(content, digest);
    }
}
