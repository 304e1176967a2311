package io.hoard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

final class PeerSignatureTest {
    private static final String PATH = "/_hoard/peer/blobs/sha256:abc?offset=0";
    private final Clock now = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
    private final PeerSignature signer = new PeerSignature("cluster-secret", now);

    @Test
    void aSignatureVerifiesForItsOwnRequestOnly() {
        String header = signer.sign("GET", PATH);
        assertThat(signer.verify("GET", PATH, header)).isTrue();
        assertThat(signer.verify("GET", PATH.replace("offset=0", "offset=1"), header)).isFalse();
        assertThat(signer.verify("HEAD", PATH, header)).isFalse();
        assertThat(new PeerSignature("another-secret", now).verify("GET", PATH, header)).isFalse();
    }

    @Test
    void oldOrFutureSignaturesAndGarbageAreRefused() {
        String old = new PeerSignature("cluster-secret", Clock.offset(now, Duration.ofSeconds(-61))).sign("GET", PATH);
        String future = new PeerSignature("cluster-secret", Clock.offset(now, Duration.ofSeconds(61))).sign("GET", PATH);
        String recent = new PeerSignature("cluster-secret", Clock.offset(now, Duration.ofSeconds(-59))).sign("GET", PATH);
        assertThat(signer.verify("GET", PATH, old)).isFalse();
        assertThat(signer.verify("GET", PATH, future)).isFalse();
        assertThat(signer.verify("GET", PATH, recent)).isTrue();
        for (String garbage : new String[] {"", ":", "x:y", "1764547200:", "1764547200", "-1:abc"}) {
            assertThat(signer.verify("GET", PATH, garbage)).as(garbage).isFalse();
        }
    }

    @Test
    void thereIsNoPeerRouteWithoutASecret() {
        assertThatThrownBy(() -> new PeerSignature("", now)).hasMessageContaining("http.secret");
    }
}
