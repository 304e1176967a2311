package io.hoard.storage;

import io.hoard.model.Digest;
import org.jspecify.annotations.Nullable;

/**
 * A manifest as stored: its exact bytes, media type and digest (computed once, from the bytes),
 * and the digest of its OCI 1.1 {@code subject}, if it has one.
 */
public record Manifest(byte[] content, String mediaType, Digest digest, @Nullable Digest subject) {
}
