package io.hoard.storage;

import io.hoard.model.Digest;
import io.hoard.model.ErrorCode;
import io.hoard.model.ImageReference;
import io.hoard.model.Reference;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import org.jspecify.annotations.Nullable;

/**
 * What a pin keeps: a whole repository, one tag of it (whatever the tag points at, now and later)
 * or one manifest by digest. Pinned content is never evicted or collected.
 *
 * @param tag the pinned tag, or null
 * @param digest the pinned manifest, or null (at most one of tag and digest is set)
 */
public record Pin(RepositoryName repository, @Nullable String tag, @Nullable Digest digest) {
    public Pin {
        if (tag != null && digest != null) {
            throw new IllegalArgumentException("a pin names a tag or a digest, not both");
        }
        if (tag != null) {
            new Reference.Tag(tag); // validates
        }
    }

    /**
     * Parses {@code repo}, {@code repo:tag} or {@code repo@sha256:...}.
     *
     * @throws RegistryException {@code NAME_INVALID}, {@code TAG_INVALID} or {@code DIGEST_INVALID}
     */
    public static Pin parse(String value) {
        return parse(value, RepositoryName::of);
    }

    /**
     * Parses a pin whose repository is spelled as clients spell it ({@code docker.io/library/alpine:3});
     * {@code storedName} turns that into the repository the content is stored under.
     */
    public static Pin parse(String value, java.util.function.Function<String, RepositoryName> storedName) {
        String v = value.trim();
        if (v.isEmpty() || v.startsWith("@") || v.startsWith(":")) {
            throw new RegistryException(ErrorCode.NAME_INVALID, "a pin names a repository, repository:tag or "
                    + "repository@digest, not '" + Digest.abbreviate(v) + "'");
        }
        ImageReference parts = ImageReference.split(v);
        String digest = parts.digest();
        return new Pin(storedName.apply(parts.name()), parts.tag(), digest == null ? null : Digest.parse(digest));
    }

    /** The same pin for another spelling of the repository's name (the name the cache stores it under). */
    public Pin in(RepositoryName name) {
        return new Pin(name, tag, digest);
    }

    /** Whether the pin keeps the whole repository. */
    public boolean wholeRepository() {
        return tag == null && digest == null;
    }

    @Override
    public String toString() {
        return repository + (tag != null ? ":" + tag : digest != null ? "@" + digest : "");
    }
}
