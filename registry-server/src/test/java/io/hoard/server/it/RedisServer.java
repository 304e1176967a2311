package io.hoard.server.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Debian's {@code redis-server} on a loopback port, without persistence; stop and start it again on the same port. */
public final class RedisServer implements AutoCloseable {
    private final int port;
    private final Path dir;
    private Process process;

    private RedisServer(int port, Path dir) throws IOException, InterruptedException {
        this.port = port;
        this.dir = dir;
        start();
    }

    public static RedisServer start(Path dir) throws IOException, InterruptedException {
        return new RedisServer(Distribution.freePort(), dir);
    }

    public String addr() {
        return "127.0.0.1:" + port;
    }

    /** Starts it (again) on its port, and waits until it answers PING. */
    public void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        for (int i = 0; i < 200; i++) {
            if (pings()) {
                return;
            }
            Thread.sleep(25);
        }
        throw new IOException("redis-server did not answer on port " + port);
    }

    private boolean pings() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[7];
            int n = s.getInputStream().read(buf);
            return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends one command and returns the first line of the answer. */
    public String command(String... args) throws IOException {
        StringBuilder resp = new StringBuilder("*" + args.length + "\r\n");
        for (String a : args) {
            resp.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.getOutputStream().write(resp.toString().getBytes(StandardCharsets.UTF_8));
            byte[] buf = new byte[4096];
            int n = s.getInputStream().read(buf);
            return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.UTF_8).lines().findFirst().orElse("");
        }
    }

    /** Commands processed since start ({@code INFO stats}). */
    public long commandsProcessed() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.getOutputStream().write("INFO stats\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[16384];
            int n = s.getInputStream().read(buf);
            String text = new String(buf, 0, Math.max(n, 0), StandardCharsets.US_ASCII);
            return text.lines().filter(l -> l.startsWith("total_commands_processed:")).findFirst()
                    .map(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim())).orElseThrow();
        }
    }

    /** Kills it (SIGKILL: no goodbye to clients). */
    public void stop() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
