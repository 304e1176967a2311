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
    private static final ObjectMapper JSON = io.hoard.model.Json.MAPPER;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    /**
     * What a valid token grants: {@code scopes} are {@code type:name:action,action} strings
     * ({@code repository:team/app:pull,push}), each naming exactly what the holder may do.
     */
    public record Grant(String subject, java.util.List<String> scopes, Instant expires) {
        /** True when the token allows {@code action} on {@code type:name}. */
        public boolean allows(String type, String name, String action) {
            return scopes.stream().map(Scope::parse).flatMap(Optional::stream).anyMatch(s -> s.grants(type, name, action));
        }
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

    public String issue(String subject, java.util.List<String> scopes, Instant now) {
        com.fasterxml.jackson.databind.node.ObjectNode node = JSON.createObjectNode().put("sub", subject)
                .put("exp", now.plus(LIFETIME).getEpochSecond());
        scopes.forEach(node.putArray("access")::add);
        String payload = node.toString();
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
            java.util.List<String> scopes = new java.util.ArrayList<>();
            payload.path("access").forEach(a -> scopes.add(a.asText()));
            return Optional.of(new Grant(payload.path("sub").asText(), java.util.List.copyOf(scopes), expires));
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
