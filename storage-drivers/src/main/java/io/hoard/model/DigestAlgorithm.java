package io.hoard.model;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/** The digest algorithms the registry verifies content with (OCI image-spec "Registered algorithms"). */
public enum DigestAlgorithm {
    SHA256("sha256", "SHA-256", 64),
    SHA512("sha512", "SHA-512", 128);

    private final String id;
    private final String jcaName;
    private final int hexLength;

    DigestAlgorithm(String id, String jcaName, int hexLength) {
        this.id = id;
        this.jcaName = jcaName;
        this.hexLength = hexLength;
    }

    /** The algorithm's name in a digest string, e.g. {@code sha256}. */
    public String id() {
        return id;
    }

    /** Length of the hex-encoded value. */
    public int hexLength() {
        return hexLength;
    }

    /** A fresh hasher for this algorithm. */
    public MessageDigest newMessageDigest() {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks " + jcaName, e);
        }
    }

    /** The algorithm with this id, if the registry supports it. */
    public static Optional<DigestAlgorithm> byId(String id) {
        for (DigestAlgorithm a : values()) {
            if (a.id.equals(id)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
