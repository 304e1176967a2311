package io.hoard.upstream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

/**
 * The fast path for blob bodies: one HTTP/1.1 GET on its own socket, the body read straight from
 * the socket. The JDK client spends about four times the CPU per byte (selector thread, queues,
 * copies), which on a small machine slows every pull that misses the cache. Only the plain answer
 * is handled here — a 200 or 206 with a Content-Length; anything else (redirects, challenges,
 * chunked bodies, errors) is left to the full client, which the caller falls back to.
 */
final class RawBlobGet {
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    /** The connection itself failed: the full client (which may use a proxy, and retries) should try. */
    static final class ConnectFailed extends IOException {
        ConnectFailed(IOException cause) {
            super(cause.toString(), cause);
        }
    }

    /** True when no HTTP proxy is configured for {@code uri} (this path connects directly). */
    static boolean direct(URI uri) {
        java.net.ProxySelector selector = java.net.ProxySelector.getDefault();
        return selector == null || selector.select(uri).stream().allMatch(p -> p.type() == java.net.Proxy.Type.DIRECT);
    }

    /** An answer this path can stream: status, headers (lower-case names), and the body. */
    record Answer(int status, Map<String, String> headers, InputStream body) {
    }

    private RawBlobGet() {
    }

    /**
     * Sends the GET and returns the answer when it is a 200/206 with a Content-Length; otherwise
     * closes the connection and returns empty.
     *
     * @throws IOException when the upstream cannot be reached or breaks off
     */
    static Optional<Answer> get(UpstreamEndpoint endpoint, URI uri, @Nullable String authorization, @Nullable String range,
            Duration connectTimeout) throws IOException {
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
        Socket socket = new Socket();
        boolean handedOver = false;
        try {
            try {
                socket.connect(new InetSocketAddress(uri.getHost(), port), (int) connectTimeout.toMillis());
            } catch (IOException e) {
                throw new ConnectFailed(e);
            }
            socket.setSoTimeout((int) endpoint.timeout().toMillis());
            Socket stream = https ? tls(endpoint, socket, uri.getHost(), port) : socket;
            StringBuilder request = new StringBuilder("GET ").append(uri.getRawPath())
                    .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(uri.getHost()).append(uri.getPort() > 0 ? ":" + port : "").append("\r\n")
                    .append("User-Agent: hoard/0.1 (pull-through cache)\r\nAccept: */*\r\nConnection: close\r\n");
            if (authorization != null) {
                request.append("Authorization: ").append(authorization).append("\r\n");
            }
            if (range != null) {
                request.append("Range: ").append(range).append("\r\n");
            }
            OutputStream out = stream.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = new BufferedInputStream(stream.getInputStream(), 256 * 1024);
            String head = readHead(in);
            String[] lines = head.split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
                return Optional.empty();
            }
            int status = Integer.parseInt(statusLine[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
                }
            }
            String length = headers.get("content-length");
            if ((status != 200 && status != 206) || length == null || headers.containsKey("transfer-encoding")) {
                return Optional.empty();
            }
            handedOver = true;
            return Optional.of(new Answer(status, headers, new Bounded(in, Long.parseLong(length), socket)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        } finally {
            if (!handedOver) {
                socket.close();
            }
        }
    }

    private static Socket tls(UpstreamEndpoint endpoint, Socket plain, String host, int port) throws IOException {
        SSLSocket tls = (SSLSocket) endpoint.sslContext().getSocketFactory().createSocket(plain, host, port, true);
        SSLParameters params = tls.getSSLParameters();
        if (!endpoint.insecure()) {
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        tls.setSSLParameters(params);
        tls.startHandshake();
        return tls;
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the response headers");
            }
            if (head.length() >= MAX_HEADER_BYTES) {
                throw new IOException("response headers larger than " + MAX_HEADER_BYTES + " bytes");
            }
            head.append((char) b);
            matched = (b == '\r' || b == '\n') && "\r\n\r\n".charAt(matched) == b ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.substring(0, head.length() - 4);
    }

    /** Exactly {@code length} bytes of the body; closing it closes the connection. */
    private static final class Bounded extends FilterInputStream {
        private final Socket socket;
        private long left;

        Bounded(InputStream in, long length, Socket socket) {
            super(in);
            this.left = length;
            this.socket = socket;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new IOException("connection closed with " + left + " bytes of the body still to come");
            }
            left -= n;
            return n;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
