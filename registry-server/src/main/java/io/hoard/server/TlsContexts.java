package io.hoard.server;

import io.hoard.config.HttpConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.io.FileInputStream;
import java.io.InputStream;
import javax.net.ssl.TrustManagerFactory;

/** Builds the server's TLS context from {@code http.tls}: PEM certificate chain and PKCS#8 key, TLS 1.2+. */
final class TlsContexts {
    private TlsContexts() {
    }

    static SslContext server(HttpConfig.TlsConfig tls) throws Exception {
        SslContextBuilder builder = SslContextBuilder.forServer(new File(tls.certificate()), new File(tls.key()))
                .protocols(tls.minimumTls().equals("tls1.3") ? new String[] {"TLSv1.3"} : new String[] {"TLSv1.3", "TLSv1.2"});
        if (!tls.clientCas().isEmpty()) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            int i = 0;
            for (String file : tls.clientCas()) {
                try (InputStream in = new FileInputStream(file)) {
                    for (var cert : cf.generateCertificates(in)) {
                        trust.setCertificateEntry("ca" + i++, (X509Certificate) cert);
                    }
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            builder.trustManager(tmf).clientAuth(ClientAuth.REQUIRE);
        }
        return builder.build();
    }
}
