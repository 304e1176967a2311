package io.hoard.server.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * CNCF distribution 2.8 (Debian's docker-registry) on a loopback port: the real upstream of the
 * proxy tests. Plain, behind htpasswd, or behind token auth issued by the test ({@link TokenIssuer}).
 */
public final class Distribution implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path dir;
    private boolean https;

    private Distribution(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    public int port() {
        return port;
    }

    public String url() {
        return (https ? "https" : "http") + "://127.0.0.1:" + port;
    }

    public String host() {
        return "127.0.0.1:" + port;
    }

    /** An anonymous registry. */
    public static Distribution start(Path dir) throws IOException, InterruptedException {
        return start(dir, "");
    }

    /** A registry whose users are {@code user:password} pairs in an htpasswd file (bcrypt). */
    public static Distribution withHtpasswd(Path dir, String user, String password) throws IOException, InterruptedException {
        Path file = dir.resolve("htpasswd");
        Files.createDirectories(dir);
        String line = Command.htpasswdEntry(user, password);
        Files.writeString(file, line + "\n");
        return start(dir, "auth:\n  htpasswd:\n    realm: test-realm\n    path: " + file + "\n");
    }

    /** An anonymous registry serving HTTPS with this PEM certificate and key. */
    public static Distribution withTls(Path dir, Path certificate, Path key) throws IOException, InterruptedException {
        Distribution d = start(dir, "", "  tls:\n    certificate: " + certificate + "\n    key: " + key + "\n");
        d.https = true;
        return d;
    }

    /** A registry that trusts tokens signed by {@code issuer}. */
    public static Distribution withTokenAuth(Path dir, TokenIssuer issuer) throws IOException, InterruptedException {
        return start(dir, """
                auth:
                  token:
                    realm: %s
                    service: %s
                    issuer: %s
                    rootcertbundle: %s
                """.formatted(issuer.realm(), TokenIssuer.SERVICE, TokenIssuer.ISSUER, issuer.certificate()));
    }

    private static Distribution start(Path dir, String authYaml) throws IOException, InterruptedException {
        return start(dir, authYaml, "");
    }

    /** A registry on the given {@code storage} section's driver lines (indented), e.g. s3 on S3Proxy. */
    public static Distribution withStorage(Path dir, String driverYaml) throws IOException, InterruptedException {
        return start(dir, "", "", driverYaml);
    }

    private static Distribution start(Path dir, String authYaml, String httpExtra) throws IOException, InterruptedException {
        return start(dir, authYaml, httpExtra, "  filesystem:\n    rootdirectory: " + dir.resolve("data") + "\n");
    }

    private static Distribution start(Path dir, String authYaml, String httpExtra, String driverYaml)
            throws IOException, InterruptedException {
        Command.require("docker-registry");
        Files.createDirectories(dir);
        int port = freePort();
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: info
                  accesslog:
                    disabled: false
                storage:
                %s  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                %s%s""".formatted(driverYaml, port, httpExtra, authYaml));
        ProcessBuilder builder = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile());
        builder.environment().remove("AWS_CA_BUNDLE"); // distribution 2.8's s3 driver panics with it set
        Process p = builder.start();
        Distribution d = new Distribution(p, port, dir);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return d;
            } catch (IOException notYet) {
                if (!p.isAlive()) {
                    throw new AssertionError("docker-registry exited: " + d.log());
                }
                Thread.sleep(50);
            }
        }
        d.close();
        throw new AssertionError("docker-registry did not listen on " + port);
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("registry.log"));
        } catch (IOException e) {
            return "";
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
