package io.hoard.server.tls;

import io.hoard.config.ConfigException;
import io.hoard.config.HttpConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the server's TLS context from {@code http.tls}: a PEM certificate chain and key, or a
 * self-signed one; client CAs for mutual TLS; TLS 1.2 and 1.3 only.
 */
public final class TlsContexts {
    private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);

    private TlsContexts() {
    }

    /**
     * @param defaultSelfSignedDir where a self-signed certificate lives when {@code selfsigneddir} is not set
     *     (null when there is no such place, e.g. in-memory storage)
     * @param httpHost {@code http.host}, whose host the self-signed certificate covers too
     * @param port the listening port, for the hint in the log
     */
    public static SslContext server(HttpConfig.TlsConfig tls, @Nullable Path defaultSelfSignedDir, String httpHost,
            int port) {
        Path certificate;
        Path key;
        if (tls.selfSigned()) {
            Path dir = !tls.selfSignedDir().isEmpty() ? Path.of(tls.selfSignedDir()) : defaultSelfSignedDir;
            if (dir == null) {
                throw new ConfigException("http.tls.selfsigned needs http.tls.selfsigneddir with this storage driver "
                        + "(certificates are kept beside the data only for the filesystem driver)");
            }
            Set<String> names = selfSignedNames(tls, httpHost);
            SelfSignedCertificates.Material material = SelfSignedCertificates.ensure(dir, names, Clock.systemUTC());
            String example = names.iterator().next();
            LOG.info("TLS with a self-signed certificate for {}: clients trust {} (docker: copy it to "
                    + "/etc/docker/certs.d/{}:{}/ca.crt, for each name:port clients use)", names,
                    material.caCertificate(), example.contains(":") ? "[" + example + "]" : example, port);
            certificate = material.certificate();
            key = material.key();
        } else {
            certificate = Path.of(tls.certificate());
            key = Path.of(tls.key());
        }
        List<X509Certificate> chain = PemFiles.certificates(certificate);
        PrivateKey privateKey = PemFiles.privateKey(key);
        if (!PemFiles.belongTogether(privateKey, chain.get(0))) {
            throw new ConfigException("http.tls: " + certificate + " and " + key + " do not make a usable TLS identity: "
                    + "the key does not belong to the first certificate in the file");
        }
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(privateKey, chain.toArray(X509Certificate[]::new))
                    .protocols(tls.minimumTls().equals("tls1.3") ? new String[] {"TLSv1.3"}
                            : new String[] {"TLSv1.3", "TLSv1.2"});
            if (!tls.clientCas().isEmpty()) {
                builder.trustManager(clientTrust(tls.clientCas())).clientAuth(ClientAuth.REQUIRE);
            }
            return builder.build();
        } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
            throw new ConfigException("http.tls: " + certificate + " and " + key + " do not make a usable TLS identity "
                    + "(does the key belong to the first certificate?): " + e.getMessage());
        }
    }

    /** The names a self-signed certificate covers: the configured ones, loopback, this host, http.host. */
    static Set<String> selfSignedNames(HttpConfig.TlsConfig tls, String httpHost) {
        Set<String> names = new LinkedHashSet<>(tls.hosts());
        names.add("localhost");
        names.add("127.0.0.1");
        names.add("::1");
        names.add(SelfSignedCertificates.localHostName());
        if (!httpHost.isEmpty()) {
            try {
                String host = URI.create(httpHost).getHost();
                if (host != null) {
                    names.add(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
                }
            } catch (IllegalArgumentException e) {
                // http.host is validated elsewhere; an unusable one adds no name
            }
        }
        return names;
    }

    private static TrustManagerFactory clientTrust(List<String> files) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (String file : files) {
                for (X509Certificate cert : PemFiles.certificates(Path.of(file))) {
                    trust.setCertificateEntry("ca" + i++, cert);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            return tmf;
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            throw new ConfigException("http.tls.clientcas: " + e.getMessage());
        }
    }
}
