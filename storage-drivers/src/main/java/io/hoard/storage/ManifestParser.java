package io.hoard.storage;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.ErrorCode;
import io.hoard.model.MediaTypes;
import io.hoard.model.RegistryException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Reads and checks manifest JSON (OCI image manifest and index, Docker schema 2 manifest and list).
 * Every rejection is a {@code MANIFEST_INVALID} whose detail names the field that is wrong.
 */
public final class ManifestParser {
    private static final ObjectMapper JSON = io.hoard.model.Json.MAPPER.copy()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /** For pushed manifests: also nothing but whitespace after the object. */
    private static final ObjectMapper STRICT = JSON.copy()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ManifestParser() {
    }

    /**
     * Parses a manifest a client pushes.
     *
     * @param contentType the request's Content-Type (parameters ignored), or null
     */
    static ParsedManifest parse(byte[] content, @Nullable String contentType) {
        String declared = contentType == null ? null : contentType.split(";", 2)[0].trim().toLowerCase();
        if (declared != null && MediaTypes.isSchema1(declared)) {
            throw schema1();
        }
        ObjectNode root = readStrictObject(content);
        JsonNode schemaVersion = root.get("schemaVersion");
        if (schemaVersion != null && schemaVersion.isInt() && schemaVersion.intValue() == 1) {
            throw schema1();
        }
        if (schemaVersion == null || !schemaVersion.isInt() || schemaVersion.intValue() != 2) {
            throw invalid("schemaVersion must be 2, got " + schemaVersion);
        }
        String inBody = optionalText(root, "mediaType");
        String mediaType = resolveMediaType(declared, inBody, root);
        return MediaTypes.isIndex(mediaType) ? parseIndex(root, mediaType) : parseImage(root, mediaType);
    }

    /**
     * One entry of an image index or referrers index, as read from a stored or upstream index.
     *
     * @param os {@code platform.os}, if given
     * @param architecture {@code platform.architecture}, if given
     */
    public record IndexEntry(Descriptor descriptor, @Nullable String os, @Nullable String architecture,
            @Nullable String artifactType, Map<String, String> annotations) {
    }

    /**
     * The entries of an index's {@code manifests}, leniently: what is not a JSON object with a
     * valid descriptor is left out (the index was checked when it was pushed, or is an upstream's).
     */
    public static List<IndexEntry> indexEntries(byte[] index) {
        List<IndexEntry> entries = new ArrayList<>();
        try {
            JsonNode manifests = readObject(index).path("manifests");
            for (int i = 0; i < manifests.size(); i++) {
                JsonNode node = manifests.get(i);
                try {
                    Map<String, String> annotations = new LinkedHashMap<>();
                    node.path("annotations").properties().forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
                    JsonNode platform = node.path("platform");
                    entries.add(new IndexEntry(descriptor(node, "manifests[" + i + "]"), optionalText(platform, "os"),
                            optionalText(platform, "architecture"), optionalText(node, "artifactType"), annotations));
                } catch (RegistryException skipped) {
                    // not a descriptor: left out
                }
            }
        } catch (RegistryException notAnIndex) {
            return List.of();
        }
        return entries;
    }

    /**
     * The blobs an image manifest references (its config and layers, foreign layers left out); empty
     * for an index or anything that is not a valid image manifest.
     */
    public static List<Descriptor> referencedBlobs(Manifest manifest) {
        if (MediaTypes.isIndex(manifest.mediaType())) {
            return List.of();
        }
        try {
            return parseImage(readObject(manifest.content()), manifest.mediaType()).blobs();
        } catch (RegistryException notAnImage) {
            return List.of();
        }
    }

    /** A manifest already stored (validated when it was pushed) with its media type and subject. */
    static Manifest describe(byte[] content, Digest digest) {
        ObjectNode root = readObject(content);
        String mediaType = optionalText(root, "mediaType");
        if (mediaType == null && root.path("schemaVersion").asInt() == 1) {
            // Written by an older distribution into the same data directory.
            mediaType = root.has("signatures") ? MediaTypes.DOCKER_SCHEMA1_SIGNED : MediaTypes.DOCKER_SCHEMA1;
        } else if (mediaType == null) {
            mediaType = root.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        }
        Descriptor subject;
        try {
            subject = subject(root);
        } catch (RegistryException e) {
            subject = null; // stored by another registry without validation: serve it, just without a subject
        }
        return new Manifest(content, mediaType, digest, subject == null ? null : subject.digest());
    }

    private static String resolveMediaType(@Nullable String declared, @Nullable String inBody, ObjectNode root) {
        boolean declaredUseful = declared != null && !declared.isEmpty() && !declared.equals("application/json")
                && !declared.equals("application/octet-stream");
        if (declared != null && declaredUseful && inBody != null && !declared.equals(inBody)) {
            throw invalid("Content-Type '%s' does not match the manifest's mediaType '%s'".formatted(declared, inBody));
        }
        String type = declaredUseful ? declared : inBody;
        if (type == null) {
            type = root.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        }
        if (MediaTypes.isSchema1(type)) {
            throw schema1();
        }
        if (!MediaTypes.MANIFESTS.contains(type)) {
            throw invalid("unsupported manifest media type '%s'; supported: %s".formatted(type, MediaTypes.MANIFESTS));
        }
        return type;
    }

    private static ParsedManifest parseImage(ObjectNode root, String mediaType) {
        if (root.has("manifests")) {
            throw invalid("an image manifest (" + mediaType + ") must not have 'manifests'");
        }
        Descriptor config = descriptor(root.get("config"), "config");
        List<Descriptor> blobs = new ArrayList<>();
        blobs.add(config);
        JsonNode layers = root.get("layers");
        if (layers == null || !layers.isArray()) {
            throw invalid("'layers' must be an array");
        }
        for (int i = 0; i < layers.size(); i++) {
            JsonNode layer = layers.get(i);
            Descriptor d = descriptor(layer, "layers[" + i + "]");
            // Foreign layers (Windows base layers) live elsewhere: their 'urls' say where.
            if (!layer.has("urls")) {
                blobs.add(d);
            }
        }
        String artifactType = optionalText(root, "artifactType");
        if (artifactType == null && MediaTypes.OCI_MANIFEST.equals(mediaType)) {
            artifactType = config.mediaType();
        }
        return new ParsedManifest(mediaType, blobs, List.of(), subject(root), artifactType, annotations(root));
    }

    private static ParsedManifest parseIndex(ObjectNode root, String mediaType) {
        JsonNode manifests = root.get("manifests");
        if (manifests == null || !manifests.isArray()) {
            throw invalid("'manifests' must be an array");
        }
        List<Descriptor> children = new ArrayList<>();
        for (int i = 0; i < manifests.size(); i++) {
            children.add(descriptor(manifests.get(i), "manifests[" + i + "]"));
        }
        return new ParsedManifest(mediaType, List.of(), children, subject(root), optionalText(root, "artifactType"),
                annotations(root));
    }

    private static @Nullable Descriptor subject(ObjectNode root) {
        JsonNode subject = root.get("subject");
        return subject == null || subject.isNull() ? null : descriptor(subject, "subject");
    }

    private static Descriptor descriptor(@Nullable JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            throw invalid("'" + field + "' must be a descriptor object");
        }
        String mediaType = optionalText(node, "mediaType");
        if (mediaType == null || mediaType.isBlank()) {
            throw invalid("'" + field + ".mediaType' is missing");
        }
        JsonNode size = node.get("size");
        if (size == null || !size.isIntegralNumber() || !size.canConvertToLong() || size.longValue() < 0) {
            throw invalid("'" + field + ".size' must be a non-negative integer");
        }
        String digest = optionalText(node, "digest");
        if (digest == null) {
            throw invalid("'" + field + ".digest' is missing");
        }
        try {
            return new Descriptor(Digest.parse(digest), size.longValue(), mediaType);
        } catch (RegistryException e) {
            throw invalid("'" + field + ".digest': " + e.detail());
        }
    }

    private static Map<String, String> annotations(ObjectNode root) {
        JsonNode node = root.get("annotations");
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw invalid("'annotations' must be an object of strings");
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw invalid("annotation '" + e.getKey() + "' must be a string");
            }
            result.put(e.getKey(), e.getValue().textValue());
        }
        return result;
    }

    private static @Nullable String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid("'" + field + "' must be a string");
        }
        return value.textValue();
    }

    /**
     * A pushed manifest: exactly one JSON object in UTF-8, no duplicate keys, nothing after it. The
     * bytes are decoded here, not by Jackson, which would otherwise detect UTF-16 and UTF-32 and
     * accept a body that other registries and clients read differently.
     */
    private static ObjectNode readStrictObject(byte[] content) {
        String text;
        try {
            text = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(content)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw invalid("the manifest is not UTF-8 text");
        }
        if (text.startsWith("\uFEFF") || text.indexOf('\0') >= 0) {
            throw invalid("the manifest must be UTF-8 JSON without a byte order mark or NUL characters");
        }
        return object(content.length, () -> STRICT.readTree(text));
    }

    private static ObjectNode readObject(byte[] content) {
        return object(content.length, () -> JSON.readTree(content));
    }

    /** One way to read the JSON tree, for {@link #object}. */
    @FunctionalInterface
    private interface TreeReader {
        @Nullable JsonNode read() throws IOException;
    }

    /** The manifest's top-level JSON object, or a MANIFEST_INVALID that says why there is none. */
    private static ObjectNode object(int length, TreeReader reader) {
        if (length == 0) {
            throw invalid("the manifest is empty");
        }
        JsonNode root;
        try {
            root = reader.read();
        } catch (IOException e) {
            throw invalid("the manifest is not valid JSON: " + Objects.requireNonNullElse(
                    e.getMessage(), e.toString()).lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw invalid("the manifest must be a JSON object");
        }
        return (ObjectNode) root;
    }

    private static RegistryException schema1() {
        return invalid("Docker schema 1 manifests are not supported: push an OCI or Docker schema 2 manifest");
    }

    private static RegistryException invalid(String detail) {
        return new RegistryException(ErrorCode.MANIFEST_INVALID, detail);
    }
}
