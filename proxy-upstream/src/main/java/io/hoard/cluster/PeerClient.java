package io.hoard.cluster;

import io.hoard.model.Digest;
import io.hoard.upstream.BlobStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

/**
 * Streams a fill in progress from the instance that holds its lease, over the peer route
 * {@code GET /_hoard/peer/blobs/<digest>?offset=N}, signed with {@link PeerSignature}. The bytes
 * are checked against the digest by the reader as upstream bytes are, so a peer's certificate is
 * not checked (instances of a cluster often serve a self-signed one on an internal network).
 */
public final class PeerClient {
    /** The route's path prefix. */
    public static final String ROUTE = "/_hoard/peer/blobs/";
    /** The whole blob's size, in every answer of the route. */
    public static final String SIZE_HEADER = "X-Hoard-Blob-Size";

    private final PeerSignature signature;
    private final HttpClient http;

    public PeerClient(PeerSignature signature) {
        this.signature = signature;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER).sslContext(trustAll())
                .sslParameters(noHostnameCheck()).build();
    }

    /**
     * The blob from {@code offset}, as the peer's fill has it (its last bytes only once it verified them).
     *
     * @throws IOException when the peer cannot be reached, has no such fill, or refuses
     */
    public BlobStream open(URI peer, Digest digest, long offset) throws IOException {
        String pathAndQuery = ROUTE + digest + "?offset=" + offset;
        HttpRequest request = HttpRequest.newBuilder(peer.resolve(pathAndQuery)).timeout(Duration.ofSeconds(10))
                .header(PeerSignature.HEADER, signature.sign("GET", pathAndQuery)).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted asking peer " + peer);
        }
        long size;
        try {
            size = response.headers().firstValueAsLong(SIZE_HEADER).orElse(-1);
        } catch (NumberFormatException e) {
            size = -1;
        }
        if (response.statusCode() != 200 || size < 0) {
            response.body().close();
            throw new IOException("peer " + peer + " answered " + response.statusCode() + " for the fill of " + digest);
        }
        return new BlobStream(size, offset, response.body());
    }

    private static SSLContext trustAll() {
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            // Extended, so the JDK leaves the host name check to it too (and it checks nothing).
            ssl.init(null, new TrustManager[] {new javax.net.ssl.X509ExtendedTrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket s) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket s) {
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine e) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine e) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return ssl;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SSLParameters noHostnameCheck() {
        SSLParameters p = new SSLParameters();
        p.setEndpointIdentificationAlgorithm(null);
        return p;
    }
}
