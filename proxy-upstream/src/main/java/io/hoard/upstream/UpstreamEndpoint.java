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
    private final HttpClient http;
    private final TokenCache tokens;
    private final CircuitBreaker breaker;
    private final UpstreamStats stats = new UpstreamStats();
    private final Duration timeout;
    private final AtomicReference<@Nullable Challenge> challenge = new AtomicReference<>();
    private final SSLContext sslContext;
    private final boolean insecure;
    private final Duration connectTimeout;

    UpstreamEndpoint(URI base, HttpClient http, Duration timeout, Clock clock) {
        this(base, http, timeout, clock, false);
    }

    private UpstreamEndpoint(URI base, HttpClient http, Duration timeout, Clock clock, boolean insecure) {
        this.name = base.toString();
        this.base = base;
        this.http = http;
        this.tokens = new TokenCache(clock);
        this.breaker = new CircuitBreaker(5, Duration.ofSeconds(30), clock);
        this.timeout = timeout;
        this.sslContext = http.sslContext();
        this.insecure = insecure;
        this.connectTimeout = http.connectTimeout().orElse(Duration.ofSeconds(10));
    }

    /** An endpoint for a configured upstream, with its TLS settings. */
    public static UpstreamEndpoint create(RemoteRegistry remote, Duration connectTimeout, Duration timeout, Clock clock) {
        return new UpstreamEndpoint(stripTrailingSlash(remote.url()), httpClient(remote, connectTimeout), timeout, clock,
                remote.insecure());
    }

    /** An endpoint for an upstream named by a request ({@code proxy.on}), with the JDK's trust. */
    public static UpstreamEndpoint dynamic(URI url, Duration connectTimeout, Duration timeout, Clock clock) {
        return new UpstreamEndpoint(stripTrailingSlash(url), HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).executor(Executors.newVirtualThreadPerTaskExecutor()).build(),
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

    /** True while the circuit breaker keeps calls away from this upstream. */
    public boolean circuitOpen() {
        return breaker.isOpen();
    }

    URI base() {
        return base;
    }

    HttpClient http() {
        return http;
    }

    CircuitBreaker breaker() {
        return breaker;
    }

    Duration timeout() {
        return timeout;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    SSLContext sslContext() {
        return sslContext;
    }

    boolean insecure() {
        return insecure;
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
