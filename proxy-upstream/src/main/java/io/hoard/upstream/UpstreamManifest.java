package io.hoard.upstream;

import io.hoard.model.Digest;

/** A manifest fetched from an upstream; {@code digest} is computed from {@code content}. */
public record UpstreamManifest(byte[] content, String mediaType, Digest digest) {
}
