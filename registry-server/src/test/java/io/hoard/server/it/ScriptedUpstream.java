package io.hoard.server.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A hostile upstream on a loopback address, over raw sockets: each request line is looked up by
 * prefix and answered with whatever bytes the test scripts (huge bodies, banners, odd redirects).
 * Counts connections, so a test can prove Hoard never connected.
 */
public final class ScriptedUpstream implements AutoCloseable {
    /** Writes an answer to the request line ({@code GET /v2/... HTTP/1.1}). */
    @FunctionalInterface
    public interface Answer {
        void write(String requestLine, OutputStream out) throws IOException;
    }

    private final ServerSocket server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile Answer banner;

    private ScriptedUpstream(ServerSocket server) {
        this.server = server;
        Thread.ofVirtual().start(this::accept);
    }

    /** Listens on {@code address} (127.0.0.1, 127.0.0.2, ...) and a free port. */
    public static ScriptedUpstream start(String address) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
        return new ScriptedUpstream(s);
    }

    public String host() {
        return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    public int connections() {
        return connections.get();
    }

    /** Answers requests whose line starts with {@code prefix} ({@code "GET /v2/x/tags/list"}). */
    public ScriptedUpstream on(String prefix, Answer answer) {
        answers.put(prefix, answer);
        return this;
    }

    /** Sends {@code bytes} as soon as a connection opens, before any request (a non-HTTP service). */
    public ScriptedUpstream banner(byte[] bytes) {
        banner = (line, out) -> out.write(bytes);
        return this;
    }

    /** A plain answer with headers and a body of {@code length} bytes made by {@code byteAt}. */
    public static Answer answer(int status, Map<String, String> headers, long length, Function<Long, Byte> byteAt) {
        return (line, out) -> {
            StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " X\r\nConnection: close\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            if (!headers.containsKey("Transfer-Encoding")) {
                head.append("Content-Length: ").append(length).append("\r\n");
            }
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            if (line.startsWith("HEAD")) {
                return;
            }
            byte[] buf = new byte[64 * 1024];
            for (long sent = 0; sent < length; ) {
                int n = (int) Math.min(buf.length, length - sent);
                for (int i = 0; i < n; i++) {
                    buf[i] = byteAt.apply(sent + i);
                }
                out.write(buf, 0, n);
                sent += n;
            }
        };
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            Answer b = banner;
            if (b != null) {
                b.write("", out);
                return;
            }
            String head = readHead(in);
            String line = head.lines().findFirst().orElse("");
            for (Map.Entry<String, Answer> e : answers.entrySet()) {
                if (line.startsWith(e.getKey())) {
                    e.getValue().write(line, out);
                    return;
                }
            }
            out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // the client went away: fine for a hostile server
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4 && head.size() < 65536) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = "\r\n\r\n".charAt(matched) == b ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
