package io.hoard.server;

import io.hoard.config.HttpConfig;
import io.hoard.config.RegistryConfig;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;

/**
 * {@code hoard healthcheck}: the container's HEALTHCHECK. Asks this machine's registry for
 * {@code /healthz} on the configured port, over TLS when configured (without checking the
 * certificate: it is our own, on loopback): 200 is healthy, 503 names the failing checks (printed).
 * With mutual TLS, a handshake in which the registry presents its certificate is the sign of life.
 */
final class HealthCheck {
    private HealthCheck() {
    }

    /** Exit code: 0 healthy, 1 not. */
    static int run(RegistryConfig config, Duration timeout) {
        HttpConfig http = config.http();
        String host = http.bindHost().isEmpty() || http.bindHost().equals("0.0.0.0") || http.bindHost().equals("::")
                ? "127.0.0.1" : http.bindHost();
        boolean tls = http.tls().isPresent();
        URI uri = URI.create((tls ? "https" : "http") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
                + http.port() + "/healthz");
        if (tls && !http.tls().get().clientCas().isEmpty()) {
            return handshake(host, http.port(), timeout);
        }
        try {
            HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
            if (c instanceof HttpsURLConnection https) {
                https.setSSLSocketFactory(trustingOwnCertificate().getSocketFactory());
                https.setHostnameVerifier((name, session) -> true);
            }
            c.setConnectTimeout((int) timeout.toMillis());
            c.setReadTimeout((int) timeout.toMillis());
            int status = c.getResponseCode();
            String body = "";
            if (status != 200) {
                try (java.io.InputStream error = c.getErrorStream()) {
                    body = error == null ? "" : new String(error.readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8);
                }
            }
            c.disconnect();
            if (status == 200) {
                return 0;
            }
            System.err.println("hoard healthcheck: " + uri + " answered " + status + (body.isEmpty() ? "" : ": " + body));
        } catch (Exception e) {
            System.err.println("hoard healthcheck: " + uri + ": " + e);
        }
        return 1;
    }

    /**
     * Mutual TLS: a probe without a client certificate gets no HTTP answer, so a TLS handshake in
     * which the registry presents its certificate is the sign of life.
     */
    private static int handshake(String host, int port, Duration timeout) {
        try {
            SSLContext ssl = trustingOwnCertificate();
            try (java.net.Socket plain = new java.net.Socket()) {
                plain.connect(new java.net.InetSocketAddress(host, port), (int) timeout.toMillis());
                plain.setSoTimeout((int) timeout.toMillis());
                try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) ssl.getSocketFactory()
                        .createSocket(plain, host, port, false)) {
                    socket.startHandshake();
                    if (socket.getSession().getPeerCertificates().length > 0) {
                        return 0;
                    }
                }
            }
        } catch (Exception e) {
            System.err.println("hoard healthcheck: TLS handshake with " + host + ":" + port + ": " + e);
        }
        return 1;
    }

    /** Trusts the registry's own certificate whatever it is: the probe never leaves this machine. */
    private static SSLContext trustingOwnCertificate() throws java.security.GeneralSecurityException {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        return ssl;
    }
}
