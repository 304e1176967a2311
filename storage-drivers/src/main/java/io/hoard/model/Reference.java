package io.hoard.model;

import java.util.regex.Pattern;

/** The {@code <reference>} of a manifest URL: a tag or a digest. */
public sealed interface Reference permits Reference.Tag, Reference.ByDigest {

    /** Parses a manifest reference: a digest when it contains ':', else a tag. */
    static Reference parse(String value) {
        return Digest.looksLikeDigest(value) ? new ByDigest(Digest.parse(value)) : new Tag(value);
    }

    /** A tag: {@code [A-Za-z0-9_][A-Za-z0-9._-]{0,127}}. */
    record Tag(String name) implements Reference {
        private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

        public Tag {
            if (!TAG.matcher(name).matches()) {
                throw new RegistryException(ErrorCode.TAG_INVALID,
                        "invalid tag '%s': up to 128 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'"
                                .formatted(Digest.abbreviate(name)));
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A manifest addressed by its digest. */
    record ByDigest(Digest digest) implements Reference {
        @Override
        public String toString() {
            return digest.toString();
        }
    }
}
