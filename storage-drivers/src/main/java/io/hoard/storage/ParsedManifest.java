package io.hoard.storage;

import io.hoard.model.Descriptor;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the registry needs to know of a manifest's JSON.
 *
 * @param mediaType the manifest's own media type
 * @param blobs the config and layers an image manifest references (foreign layers excluded)
 * @param manifests the child manifests an index references
 * @param subject the manifest this one refers to (OCI 1.1 referrers), if any
 * @param artifactType {@code artifactType}, or for an image manifest without one its config's media type
 */
record ParsedManifest(
        String mediaType,
        List<Descriptor> blobs,
        List<Descriptor> manifests,
        @Nullable Descriptor subject,
        @Nullable String artifactType,
        Map<String, String> annotations) {
}
