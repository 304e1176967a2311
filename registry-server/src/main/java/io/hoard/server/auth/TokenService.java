package io.hoard.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hoard's own bearer tokens, for {@code auth.htpasswd.anonymouspull}: docker only lets anonymous
 * pulls and authenticated pushes share one registry through token auth, so Hoard answers the token
 * requests itself. A token says who (empty for anonymous), whether it may push, and until when;
 * it is signed with HMAC-SHA256 under a key made at start or derived from {@code http.secret}
 * (so tokens survive a restart and work across replicas that share the secret).
 */
public final class TokenService {
    static final Duration LIFETIME = Duration.ofMinutes(15);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    /** What a valid token grants. */
    public record Grant(String subject, boolean push, Instant expires) {
    }

    /** @param secret {@code http.secret}, or empty for a random key per start */
    public TokenService(String secret) {
        byte[] material;
        if (secret.isEmpty()) {
            material = new byte[32];
            new SecureRandom().nextBytes(material);
        } else {
            material = sha256(("hoard-token-key\0" + secret).getBytes(StandardCharsets.UTF_8));
        }
        this.key = new SecretKeySpec(material, "HmacSHA256");
    }

    public String issue(String subject, boolean push, Instant now) {
        String payload = JSON.createObjectNode().put("sub", subject).put("push", push)
                .put("exp", now.plus(LIFETIME).getEpochSecond()).toString();
        String body = B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        return body + "." + B64.encodeToString(mac(body));
    }

    /** The grant of a token this service issued and that has not expired. */
    public Optional<Grant> verify(String token, Instant now) {
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            return Optional.empty();
        }
        String body = token.substring(0, dot);
        try {
            if (!MessageDigest.isEqual(mac(body), B64D.decode(token.substring(dot + 1)))) {
                return Optional.empty();
            }
            JsonNode payload = JSON.readTree(B64D.decode(body));
            Instant expires = Instant.ofEpochSecond(payload.path("exp").asLong());
            if (!expires.isAfter(now)) {
                return Optional.empty();
            }
            return Optional.of(new Grant(payload.path("sub").asText(), payload.path("push").asBoolean(), expires));
        } catch (IllegalArgumentException | java.io.IOException e) {
            return Optional.empty();
        }
    }

    private byte[] mac(String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(body.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
