package io.hoard.storage;

import io.hoard.model.Digest;

/** A manifest as stored: its exact bytes, media type and digest (computed once, from the bytes). */
public record Manifest(byte[] content, String mediaType, Digest digest) {
}
