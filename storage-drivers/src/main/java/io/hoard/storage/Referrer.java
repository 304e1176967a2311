package io.hoard.storage;

import io.hoard.model.Descriptor;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A manifest whose {@code subject} is another manifest: one entry of the OCI referrers index. */
public record Referrer(Descriptor descriptor, @Nullable String artifactType, Map<String, String> annotations) {
}
