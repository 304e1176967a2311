package io.hoard.upstream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * HTTP/1.1 on a socket of its own per request ({@code Connection: close}). Two jobs: blob bodies
 * for configured upstreams — the JDK client spends about four times the CPU per byte (selector
 * thread, queues, copies), which on a small machine slows every pull that misses — and every
 * request for upstreams clients name, where the {@link AddressPolicy} must see the very address
 * that is connected to. Holds no thread and no connection between requests.
 */
final class SocketTransport implements Transport {
    private static final int MAX_HEAD_BYTES = 64 * 1024;

    private final AddressPolicy policy;
    private final SSLContext ssl;
    private final boolean insecure;
    private final Duration connectTimeout;

    SocketTransport(AddressPolicy policy, SSLContext ssl, boolean insecure, Duration connectTimeout) {
        this.policy = policy;
        this.ssl = ssl;
        this.insecure = insecure;
        this.connectTimeout = connectTimeout;
    }

    /** The connection itself could not be made (as opposed to a failure after it was). */
    static final class ConnectFailed extends IOException {
        ConnectFailed(IOException cause) {
            super(cause.toString(), cause);
        }
    }

    @Override
    public Response send(Request request) throws IOException {
        URI uri = request.uri();
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        if (!https && !"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IOException("not an http(s) URL: " + uri.getScheme());
        }
        String host = uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
        Socket socket = connect(host, port);
        boolean handedOver = false;
        try {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, request.timeout().toMillis()));
            Socket stream = https ? tls(socket, host, port) : socket;
            writeRequest(stream.getOutputStream(), request, host, uri.getPort() > 0);
            InputStream in = new BufferedInputStream(stream.getInputStream(), 256 * 1024);
            String[] lines = readHead(in).split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP/1.x answer");
            }
            int status;
            try {
                status = Integer.parseInt(statusLine[1]);
            } catch (NumberFormatException e) {
                throw new IOException("malformed status line");
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                            .add(lines[i].substring(colon + 1).trim());
                }
            }
            Response response = new Response(status, headers, body(request.method(), status, headers, in, socket));
            handedOver = true;
            return response;
        } finally {
            if (!handedOver) {
                socket.close();
            }
        }
    }

    private Socket connect(String host, int port) throws IOException {
        List<InetAddress> addresses;
        try {
            addresses = policy.resolve(host, port);
        } catch (java.net.UnknownHostException e) {
            throw new ConnectFailed(e);
        }
        IOException last = null;
        for (InetAddress address : addresses) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(address, port), (int) connectTimeout.toMillis());
                return socket;
            } catch (IOException e) {
                socket.close();
                last = e;
            }
        }
        throw new ConnectFailed(last != null ? last : new IOException("no address for " + host));
    }

    private Socket tls(Socket plain, String host, int port) throws IOException {
        SSLSocket tls = (SSLSocket) ssl.getSocketFactory().createSocket(plain, host, port, true);
        SSLParameters params = tls.getSSLParameters();
        if (!insecure) {
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        tls.setSSLParameters(params);
        tls.startHandshake();
        return tls;
    }

    private static void writeRequest(OutputStream out, Request request, String host, boolean explicitPort) throws IOException {
        URI uri = request.uri();
        String rawPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        StringBuilder head = new StringBuilder(request.method()).append(' ').append(rawPath)
                .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
                .append(explicitPort ? ":" + uri.getPort() : "").append("\r\n")
                .append("Connection: close\r\n");
        request.headers().forEach((k, v) -> head.append(k).append(": ").append(v.replaceAll("[\r\n]", " ")).append("\r\n"));
        if (request.body() != null) {
            head.append("Content-Length: ").append(request.body().length).append("\r\n");
        }
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        if (request.body() != null) {
            out.write(request.body());
        }
        out.flush();
    }

    private static InputStream body(String method, int status, Map<String, List<String>> headers, InputStream in,
            Socket socket) throws IOException {
        if (method.equals("HEAD") || status / 100 == 1 || status == 204 || status == 304) {
            return new Framed(InputStream.nullInputStream(), socket);
        }
        List<String> encoding = headers.getOrDefault("transfer-encoding", List.of());
        if (encoding.stream().anyMatch(e -> e.toLowerCase(Locale.ROOT).contains("chunked"))) {
            return new Framed(new ChunkedBody(in), socket);
        }
        List<String> length = headers.getOrDefault("content-length", List.of());
        if (!length.isEmpty()) {
            try {
                return new Framed(new LengthBody(in, Long.parseLong(length.get(0).trim())), socket);
            } catch (NumberFormatException e) {
                throw new IOException("malformed Content-Length");
            }
        }
        return new Framed(in, socket); // until the upstream closes the connection
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the response headers");
            }
            if (head.length() >= MAX_HEAD_BYTES) {
                throw new IOException("response headers larger than " + MAX_HEAD_BYTES + " bytes");
            }
            head.append((char) b);
            matched = (b == '\r' || b == '\n') && "\r\n\r\n".charAt(matched) == b ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.substring(0, head.length() - 4);
    }

    /** A body whose end closes the connection. */
    private static final class Framed extends FilterInputStream {
        private final Socket socket;

        Framed(InputStream in, Socket socket) {
            super(in);
            this.socket = socket;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /**
     * A body framed inside the connection's stream. Only bulk reads are implemented; single-byte reads
     * and {@code skip} go through them, so the framing is never bypassed.
     */
    private abstract static class BodyStream extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public abstract int read(byte[] b, int off, int len) throws IOException;
    }

    /** Exactly {@code length} bytes. */
    private static final class LengthBody extends BodyStream {
        private final InputStream in;
        private long left;

        LengthBody(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new IOException("connection closed with " + left + " bytes of the body still to come");
            }
            left -= n;
            return n;
        }
    }

    /** A {@code Transfer-Encoding: chunked} body (RFC 9112 section 7.1); trailers are skipped. */
    private static final class ChunkedBody extends BodyStream {
        private final InputStream in;
        private long left;
        private boolean done;

        ChunkedBody(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                left = nextChunkSize();
                if (left == 0) {
                    done = true;
                    while (!line().isEmpty()) {
                        // trailer fields: not used
                    }
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new IOException("connection closed inside a chunk");
            }
            left -= n;
            if (left == 0) {
                line(); // the CRLF after the chunk
            }
            return n;
        }

        private long nextChunkSize() throws IOException {
            String line = line();
            int semicolon = line.indexOf(';');
            String hex = (semicolon >= 0 ? line.substring(0, semicolon) : line).trim();
            if (hex.isEmpty() || hex.length() > 15) {
                throw new IOException("malformed chunk size");
            }
            try {
                return Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunk size");
            }
        }

        private String line() throws IOException {
            StringBuilder s = new StringBuilder();
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) {
                    throw new IOException("connection closed in chunk framing");
                }
                if (s.length() > 4096) {
                    throw new IOException("chunk framing line too long");
                }
                if (c != '\r') {
                    s.append((char) c);
                }
            }
            return s.toString();
        }
    }
}
