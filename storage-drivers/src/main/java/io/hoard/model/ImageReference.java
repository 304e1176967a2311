package io.hoard.model;

import org.jspecify.annotations.Nullable;

/**
 * An image as people write it, split into its parts: {@code name}, {@code name:tag} or
 * {@code name@digest} (the tag is what follows the last ':' after the last '/', so a registry's
 * port stays in the name). Splitting validates nothing; callers check each part.
 */
public record ImageReference(String name, @Nullable String tag, @Nullable String digest) {

    public static ImageReference split(String text) {
        int at = text.indexOf('@');
        if (at >= 0) {
            return new ImageReference(text.substring(0, at), null, text.substring(at + 1));
        }
        int colon = text.lastIndexOf(':');
        if (colon > text.lastIndexOf('/')) {
            return new ImageReference(text.substring(0, colon), text.substring(colon + 1), null);
        }
        return new ImageReference(text, null, null);
    }

    /**
     * The manifest reference: the digest, else the tag, else {@code latest}.
     *
     * @throws RegistryException {@code DIGEST_INVALID} or {@code TAG_INVALID}
     */
    public Reference reference() {
        return digest != null ? new Reference.ByDigest(Digest.parse(digest)) : new Reference.Tag(tag != null ? tag : "latest");
    }
}
