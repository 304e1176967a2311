package io.hoard.model;

import java.util.HexFormat;

/**
 * A content digest such as {@code sha256:6c3c62...}: validated on construction, {@link #toString()}
 * is the wire form. Only algorithms in {@link DigestAlgorithm} are accepted, since the registry
 * must be able to verify every digest it stores content under.
 */
public record Digest(DigestAlgorithm algorithm, String hex) {

    public Digest {
        if (hex.length() != algorithm.hexLength() || !isLowerHex(hex)) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID,
                    "invalid %s digest value: %d lowercase hex characters expected".formatted(
                            algorithm.id(), algorithm.hexLength()));
        }
    }

    /**
     * Parses {@code algorithm:hex}.
     *
     * @throws RegistryException {@link ErrorCode#DIGEST_INVALID} naming what is wrong
     */
    public static Digest parse(String value) {
        int colon = value.indexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID,
                    "invalid digest '%s': expected <algorithm>:<hex>".formatted(abbreviate(value)));
        }
        String algorithm = value.substring(0, colon);
        DigestAlgorithm alg = DigestAlgorithm.byId(algorithm).orElseThrow(() -> new RegistryException(
                ErrorCode.DIGEST_INVALID,
                "unsupported digest algorithm '%s' in '%s' (supported: sha256, sha512)".formatted(
                        abbreviate(algorithm), abbreviate(value))));
        return new Digest(alg, value.substring(colon + 1));
    }

    /** True when {@code value} looks like a digest rather than a tag (tags cannot contain ':'). */
    public static boolean looksLikeDigest(String value) {
        return value.indexOf(':') >= 0;
    }

    /** The digest of {@code bytes} with {@code algorithm}. */
    public static Digest of(DigestAlgorithm algorithm, byte[] bytes) {
        return fromHash(algorithm, algorithm.newMessageDigest().digest(bytes));
    }

    /** The sha256 digest of {@code bytes}. */
    public static Digest sha256(byte[] bytes) {
        return of(DigestAlgorithm.SHA256, bytes);
    }

    /** Wraps a finished hash value. */
    public static Digest fromHash(DigestAlgorithm algorithm, byte[] hash) {
        return new Digest(algorithm, HexFormat.of().formatHex(hash));
    }

    @Override
    public String toString() {
        return algorithm.id() + ":" + hex;
    }

    private static boolean isLowerHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    public static String abbreviate(String s) {
        return s.length() <= 140 ? s : s.substring(0, 140) + "...";
    }
}
