package io.hoard.upstream;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A username and password for an upstream, or anonymous. Never printed; {@link #cacheKey()} lets
 * tokens be cached per identity without keeping the password in the key.
 */
public record Credentials(String username, String password) {
    private static final Credentials ANONYMOUS = new Credentials("", "");

    public static Credentials anonymous() {
        return ANONYMOUS;
    }

    public static Credentials of(Optional<String> username, Optional<String> password) {
        return username.isEmpty() || username.get().isEmpty() ? ANONYMOUS : new Credentials(username.get(), password.orElse(""));
    }

    /** Parses an {@code Authorization: Basic ...} header; anything else is anonymous. */
    public static Credentials fromBasicHeader(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return ANONYMOUS;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon <= 0 ? ANONYMOUS : new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return ANONYMOUS;
        }
    }

    public boolean isAnonymous() {
        return username.isEmpty();
    }

    /** The {@code Authorization} value for Basic authentication. */
    public String basicHeader() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A one-way key of this identity, for caches (the password itself is never a map key). */
    public String cacheKey() {
        if (isAnonymous()) {
            return "anonymous";
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest((username + "\0" + password).getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return isAnonymous() ? "anonymous" : "user " + username;
    }
}
