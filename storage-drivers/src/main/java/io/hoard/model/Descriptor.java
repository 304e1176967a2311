package io.hoard.model;

/** What the registry knows about a piece of content: its digest, size and media type. */
public record Descriptor(Digest digest, long size, String mediaType) {
    public static final String OCTET_STREAM = "application/octet-stream";

    public Descriptor {
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size + " for " + digest);
        }
    }
}
