package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hoard.config.ConfigLoader;
import io.hoard.server.it.Command;
import io.hoard.server.it.TestCa;
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

    @Test
    void selfSignedCertificateIsMadeOnceKeptAndExtendedForNewNames(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("data");
        String yaml = """
                http:
                  addr: 127.0.0.1:0
                  tls:
                    selfsigned: true
                    hosts: [registry.test]
                storage:
                  filesystem:
                    rootdirectory: %s
                """.formatted(root);
        Path ca = root.resolve("_tls/ca.crt");
        Path cert = root.resolve("_tls/tls.crt");
        String firstCa;
        String firstCert;
        try (RegistryApp app = RegistryApp.start(ConfigLoader.parse(yaml, Map.of(), "t"))) {
            for (String host : new String[] {"127.0.0.1", "localhost"}) {
                URI base = URI.create("https://" + host + ":" + app.address().getPort() + "/v2/");
                assertThat(client(ca).send(HttpRequest.newBuilder(base).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode()).isEqualTo(200);
            }
            firstCa = Files.readString(ca);
            firstCert = Files.readString(cert);
            assertThat(Files.readString(root.resolve("_tls/ca.key"))).contains("PRIVATE KEY");
            assertThat(Files.getPosixFilePermissions(root.resolve("_tls/tls.key")))
                    .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        }
        try (RegistryApp app = RegistryApp.start(ConfigLoader.parse(yaml, Map.of(), "t"))) {
            assertThat(Files.readString(ca)).as("the CA survives a restart").isEqualTo(firstCa);
            assertThat(Files.readString(cert)).as("so does the certificate").isEqualTo(firstCert);
        }
        try (RegistryApp app = RegistryApp.start(ConfigLoader.parse(yaml.replace("[registry.test]",
                "[registry.test, 10.1.2.3]"), Map.of(), "t"))) {
            assertThat(Files.readString(ca)).as("a new name needs no new trust").isEqualTo(firstCa);
            assertThat(Files.readString(cert)).isNotEqualTo(firstCert);
            var issued = (java.security.cert.X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(Files.newInputStream(cert));
            assertThat(issued.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList())
                    .contains("registry.test", "10.1.2.3", "127.0.0.1", "localhost");
            URI base = URI.create("https://127.0.0.1:" + app.address().getPort() + "/v2/");
            assertThat(client(ca).send(HttpRequest.newBuilder(base).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(200);
        }
    }

    @Test
    void chainsAndEveryKeyFormatAndMutualTls(@TempDir Path dir) throws Exception {
        Command.require("openssl");
        TestCa testCa = TestCa.create(dir);
        Path ca = testCa.certificate();
        for (String format : new String[] {"rsa-pkcs1", "ec-sec1", "rsa-pkcs8"}) {
            Path key = dir.resolve(format + ".key");
            switch (format) {
                case "rsa-pkcs1" -> TestCa.openssl("genrsa", "-traditional", "-out", key.toString(), "2048");
                case "ec-sec1" -> TestCa.openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString());
                default -> TestCa.openssl("genpkey", "-algorithm", "RSA", "-out", key.toString());
            }
            assertThat(Files.readString(key)).contains(switch (format) {
                case "rsa-pkcs1" -> "BEGIN RSA PRIVATE KEY";
                case "ec-sec1" -> "BEGIN EC PRIVATE KEY";
                default -> "BEGIN PRIVATE KEY";
            });
            Path leaf = testCa.sign(key, format, "subjectAltName=IP:127.0.0.1");
            Path chain = dir.resolve(format + "-chain.crt");
            Files.writeString(chain, Files.readString(leaf) + Files.readString(ca));
            try (RegistryApp app = RegistryApp.start(ConfigLoader.parse("""
                    http:
                      addr: 127.0.0.1:0
                      tls: {certificate: %s, key: %s}
                    storage: {inmemory: {}}
                    """.formatted(chain, key), Map.of(), "t"))) {
                URI base = URI.create("https://127.0.0.1:" + app.address().getPort() + "/v2/");
                assertThat(client(ca).send(HttpRequest.newBuilder(base).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode()).as(format).isEqualTo(200);
            }
        }
        // A key that does not belong to the certificate stops the start with a message.
        assertThatThrownBy(() -> RegistryApp.start(ConfigLoader.parse("""
                http:
                  addr: 127.0.0.1:0
                  tls: {certificate: %s, key: %s}
                storage: {inmemory: {}}
                """.formatted(dir.resolve("ec-sec1.crt"), dir.resolve("rsa-pkcs1.key")), Map.of(), "t")))
                .hasMessageContaining("do not make a usable TLS identity");

        // Mutual TLS: a client certificate signed by a CA in clientcas is required.
        Path clientKey = dir.resolve("client.key");
        TestCa.openssl("genpkey", "-algorithm", "RSA", "-out", clientKey.toString());
        Path clientCert = testCa.sign(clientKey, "client", "extendedKeyUsage=clientAuth");
        Path p12 = dir.resolve("client.p12");
        TestCa.openssl("pkcs12", "-export", "-inkey", clientKey.toString(), "-in", clientCert.toString(), "-passout", "pass:pw",
                "-out", p12.toString());
        try (RegistryApp app = RegistryApp.start(ConfigLoader.parse("""
                http:
                  addr: 127.0.0.1:0
                  tls: {certificate: %s, key: %s, clientcas: [%s]}
                storage: {inmemory: {}}
                """.formatted(dir.resolve("ec-sec1-chain.crt"), dir.resolve("ec-sec1.key"), ca), Map.of(), "t"))) {
            URI base = URI.create("https://127.0.0.1:" + app.address().getPort() + "/v2/");
            assertThatThrownBy(() -> client(ca).send(HttpRequest.newBuilder(base).build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(java.io.IOException.class);
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                keys.load(in, "pw".toCharArray());
            }
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                    javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, "pw".toCharArray());
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(kmf.getKeyManagers(), trust(ca).getTrustManagers(), null);
            HttpClient withCert = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1).build();
            assertThat(withCert.send(HttpRequest.newBuilder(base).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void tlsMisconfigurationIsAnError() {
        assertThatThrownBy(() -> ConfigLoader.parse("http:\n  tls:\n    selfsigned: true\n    certificate: /a\n    key: /b\n",
                Map.of(), "t")).hasMessageContaining("exclude each other");
        assertThatThrownBy(() -> ConfigLoader.parse("http:\n  tls:\n    letsencrypt:\n      email: a@b\n", Map.of(), "t"))
                .hasMessageContaining("letsencrypt");
        assertThatThrownBy(() -> ConfigLoader.parse("http:\n  tls:\n    clientcas: [/ca.pem]\n", Map.of(), "t"))
                .hasMessageContaining("needs TLS");
        assertThatThrownBy(() -> RegistryApp.start(ConfigLoader.parse(
                "http:\n  addr: 127.0.0.1:0\n  tls:\n    selfsigned: true\nstorage:\n  inmemory: {}\n", Map.of(), "t")))
                .hasMessageContaining("selfsigneddir");
    }

    private static HttpClient client(Path caFile) throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, trust(caFile).getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1).build();
    }

    private static TrustManagerFactory trust(Path caFile) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf;
    }
}
