package io.hoard.cluster;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks requests between instances: {@value #HEADER}{@code : <unix seconds>:<signature>}
 * where the signature is HMAC-SHA256, under a key derived from {@code http.secret}, of the method,
 * the path with its query, and the time. A request is accepted within {@link #SKEW} of its time, so
 * a captured request cannot be replayed later, and a client without the secret cannot make one.
 */
public final class PeerSignature {
    public static final String HEADER = "X-Hoard-Peer";
    static final Duration SKEW = Duration.ofSeconds(60);

    private final SecretKeySpec key;
    private final Clock clock;

    public PeerSignature(String secret, Clock clock) {
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("the peer route needs http.secret");
        }
        try {
            byte[] material = MessageDigest.getInstance("SHA-256")
                    .digest(("hoard-peer-key\0" + secret).getBytes(StandardCharsets.UTF_8));
            this.key = new SecretKeySpec(material, "HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        this.clock = clock;
    }

    /** The header value for a request of {@code method} to {@code pathAndQuery}, now. */
    public String sign(String method, String pathAndQuery) {
        long now = clock.instant().getEpochSecond();
        return now + ":" + mac(method, pathAndQuery, now);
    }

    /** True when {@code header} signs this request and is recent. */
    public boolean verify(String method, String pathAndQuery, String header) {
        int colon = header.indexOf(':');
        if (colon <= 0) {
            return false;
        }
        long time;
        try {
            time = Long.parseLong(header.substring(0, colon));
        } catch (NumberFormatException e) {
            return false;
        }
        if (Math.abs(clock.instant().getEpochSecond() - time) > SKEW.toSeconds()) {
            return false;
        }
        byte[] expected = mac(method, pathAndQuery, time).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, header.substring(colon + 1).getBytes(StandardCharsets.US_ASCII));
    }

    private String mac(String method, String pathAndQuery, long time) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] sig = mac.doFinal((method + "\n" + pathAndQuery + "\n" + time).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
