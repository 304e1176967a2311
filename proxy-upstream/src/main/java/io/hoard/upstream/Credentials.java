package io.hoard.upstream;

import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A username and password for an upstream, a bearer token someone else obtained (an admin copy's
 * short-lived token), or anonymous. Never printed; {@link #cacheKey()} lets tokens be cached per
 * identity without keeping the password in the key.
 *
 * @param token a bearer token sent as is with every request ("" for none)
 */
public record Credentials(String username, String password, String token) {
    private static final Credentials ANONYMOUS = new Credentials("", "", "");
    private static final SecretKeySpec KEY = randomKey();

    private static SecretKeySpec randomKey() {
        byte[] material = new byte[32];
        new java.security.SecureRandom().nextBytes(material);
        return new SecretKeySpec(material, "HmacSHA256");
    }

    public Credentials(String username, String password) {
        this(username, password, "");
    }

    /** A bearer token to send as is: the upstream's token service is never asked. */
    public static Credentials bearer(String token) {
        if (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("a bearer token is printable ASCII without spaces");
        }
        return new Credentials("", "", token);
    }

    public static Credentials anonymous() {
        return ANONYMOUS;
    }

    public static Credentials of(Optional<String> username, Optional<String> password) {
        return username.isEmpty() || username.get().isEmpty() ? ANONYMOUS : new Credentials(username.get(), password.orElse(""));
    }

    /** Parses an {@code Authorization: Basic ...} header; anything else is anonymous. */
    public static Credentials fromBasicHeader(@org.jspecify.annotations.Nullable String header) {
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
        return username.isEmpty() && token.isEmpty();
    }

    /** Whether these are a bearer token ({@link #bearer}) rather than a username and password. */
    public boolean isToken() {
        return !token.isEmpty();
    }

    /** The {@code Authorization} value for Basic authentication. */
    public String basicHeader() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A one-way key of this identity for in-memory caches (tokens, access confirmations): an HMAC
     * under a key made at start, so neither the password nor a hash that could be tested offline
     * against guesses is kept.
     */
    public String cacheKey() {
        if (isAnonymous()) {
            return "anonymous";
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(KEY);
            return HexFormat.of().formatHex(mac.doFinal((username + "\0" + password + "\0" + token).getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return isToken() ? "a bearer token" : isAnonymous() ? "anonymous" : "user " + username;
    }
}
