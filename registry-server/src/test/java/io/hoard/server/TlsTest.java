package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hoard.config.ConfigLoader;
import io.hoard.server.it.Command;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** http.tls with a PEM certificate and PKCS#8 key made by openssl. */
final class TlsTest {

    @Test
    void servesHttpsWithTheConfiguredCertificate(@TempDir Path dir) throws Exception {
        Command.require("openssl");
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        Command.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(), "-out", cert.toString())
                .run().orFail("openssl");
        var config = ConfigLoader.parse("""
                http:
                  addr: 127.0.0.1:0
                  tls:
                    certificate: %s
                    key: %s
                storage:
                  inmemory: {}
                """.formatted(cert, key), Map.of(), "t");
        try (RegistryApp app = RegistryApp.start(config)) {
            URI base = URI.create("https://127.0.0.1:" + app.address().getPort() + "/v2/");
            HttpResponse<String> r = client(cert).send(HttpRequest.newBuilder(base).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.sslSession()).hasValueSatisfying(s -> assertThat(s.getProtocol()).isIn("TLSv1.2", "TLSv1.3"));
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(base).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
        }
    }

    private static HttpClient client(Path caFile) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1).build();
    }
}
