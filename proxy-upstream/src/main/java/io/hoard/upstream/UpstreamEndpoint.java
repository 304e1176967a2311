package io.hoard.upstream;

import io.hoard.config.RemoteRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.jspecify.annotations.Nullable;

/**
 * Everything about one upstream that is shared by all its callers, whatever their credentials:
 * the HTTP client (with its TLS trust), token cache, circuit breaker, statistics, and the last
 * authentication challenge seen (so later calls can fetch a token without a 401 round trip).
 */
public final class UpstreamEndpoint {
    static {
        // The JDK client reads bodies in 16 KiB buffers by default: 256 KiB makes blob downloads
        // two to three times faster. Read once, when the first client is built.
        if (System.getProperty("jdk.httpclient.bufsize") == null) {
            System.setProperty("jdk.httpclient.bufsize", Integer.toString(256 * 1024));
        }
    }

    private final String name;
    private final URI base;
    private final Transport transport;
    private final @Nullable SocketTransport fastPath;
    private final TokenCache tokens;
    private final CircuitBreaker breaker;
    private final UpstreamStats stats = new UpstreamStats();
    private final Duration timeout;
    private final AtomicReference<@Nullable Challenge> challenge = new AtomicReference<>();

    private UpstreamEndpoint(URI base, Transport transport, @Nullable SocketTransport fastPath, Duration timeout, Clock clock) {
        this.name = base.toString();
        this.base = base;
        this.transport = transport;
        this.fastPath = fastPath;
        this.tokens = new TokenCache(clock);
        this.breaker = new CircuitBreaker(5, Duration.ofSeconds(30), clock);
        this.timeout = timeout;
    }

    /**
     * An endpoint for a configured upstream, with its TLS settings: the JDK client (which honours
     * HTTP proxy settings and pools connections), plus plain sockets for blob bodies.
     */
    public static UpstreamEndpoint create(RemoteRegistry remote, Duration connectTimeout, Duration timeout, Clock clock) {
        HttpClient http = httpClient(remote, connectTimeout);
        return new UpstreamEndpoint(stripTrailingSlash(remote.url()), new JdkTransport(http),
                new SocketTransport(AddressPolicy.open(), http.sslContext(), remote.insecure(), connectTimeout), timeout, clock);
    }

    /**
     * An endpoint for an upstream named by a request ({@code proxy.on}), with the JDK's trust: every
     * connection it makes, token realms and redirects included, goes through {@code policy}. It holds
     * no thread and no connection, so many can be kept.
     */
    public static UpstreamEndpoint dynamic(URI url, AddressPolicy policy, Duration connectTimeout, Duration timeout,
            Clock clock) {
        SSLContext ssl;
        try {
            ssl = SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default TLS context", e);
        }
        return new UpstreamEndpoint(stripTrailingSlash(url), new SocketTransport(policy, ssl, false, connectTimeout), null,
                timeout, clock);
    }

    public String name() {
        return name;
    }

    public UpstreamStats stats() {
        return stats;
    }

    public TokenCache tokens() {
        return tokens;
    }

    URI base() {
        return base;
    }

    Transport transport() {
        return transport;
    }

    /** Plain sockets for simple blob answers, when this endpoint has them (configured upstreams). */
    @Nullable SocketTransport fastPath() {
        return fastPath;
    }

    CircuitBreaker breaker() {
        return breaker;
    }

    Duration timeout() {
        return timeout;
    }

    @Nullable Challenge challenge() {
        return challenge.get();
    }

    void challenge(Challenge c) {
        challenge.set(c);
    }

    private static URI stripTrailingSlash(URI url) {
        String s = url.toString();
        return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    }

    private static HttpClient httpClient(RemoteRegistry remote, Duration connectTimeout) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).executor(Executors.newVirtualThreadPerTaskExecutor());
        try {
            if (remote.insecure()) {
                b.sslContext(trustAll());
            } else if (remote.caFile().isPresent()) {
                b.sslContext(trusting(remote.caFile().get()));
            }
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot set up TLS for upstream " + remote.url() + ": " + e.getMessage(), e);
        }
        return b.build();
    }

    /** The JDK's trusted CAs plus those in {@code caFile}. */
    private static SSLContext trusting(String caFile) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        jdk.init((KeyStore) null);
        int i = 0;
        for (TrustManager tm : jdk.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                for (X509Certificate c : x.getAcceptedIssuers()) {
                    store.setCertificateEntry("jdk" + i++, c);
                }
            }
        }
        try (InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(caFile))) {
            for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca" + i++, cert);
            }
        } catch (IOException e) {
            throw new IOException("cannot read cafile " + caFile + ": " + e.getMessage(), e);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
        return ctx;
    }

    /** For {@code insecure: true} upstreams only: accepts any certificate. */
    private static SSLContext trustAll() throws Exception {
        X509TrustManager all = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {all}, new SecureRandom());
        return ctx;
    }
}
