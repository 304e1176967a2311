package io.hoard.server.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private dockerd for one test class: vfs storage, no iptables or bridge, its own socket, data
 * and exec dirs (short, under /tmp, because unix socket paths are limited to 108 bytes).
 */
public final class Dockerd implements AutoCloseable {
    private final Path dir;
    private final Process process;
    private final String host;

    private Dockerd(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
        this.host = "unix://" + dir.resolve("docker.sock");
    }

    /** Starts dockerd with {@code daemonJson} as its configuration and waits until it answers. */
    public static Dockerd start(String daemonJson) throws IOException, InterruptedException {
        return startIn(Files.createTempDirectory(Path.of("/tmp"), "hd"), daemonJson);
    }

    /** Starts dockerd in {@code dir} (emptied first): its socket is {@code dir/docker.sock}. */
    public static Dockerd startIn(Path dir, String daemonJson) throws IOException, InterruptedException {
        return start(dir, daemonJson, List.of());
    }

    /**
     * Starts dockerd in a private mount namespace where {@code hosts} is /etc/hosts and
     * {@code etcDocker} is /etc/docker (so {@code certs.d} is the test's own): TLS tests need a host
     * name, because dockerd never checks certificates of registries on 127.0.0.0/8. The host's /etc
     * is untouched.
     */
    public static Dockerd startIsolated(String daemonJson, Path hosts, Path etcDocker) throws IOException, InterruptedException {
        Command.require("unshare");
        Files.createDirectories(Path.of("/etc/docker")); // the mount point; docker.io ships it
        return start(Files.createTempDirectory(Path.of("/tmp"), "hd"), daemonJson, List.of("unshare", "-m",
                "--propagation", "private", "sh", "-c", "mount --bind \"$0\" /etc/hosts && mount --bind \"$1\" /etc/docker "
                        + "&& shift && exec \"$@\"", hosts.toString(), etcDocker.toString()));
    }

    private static Dockerd start(Path dir, String daemonJson, List<String> wrapper) throws IOException, InterruptedException {
        Command.require("dockerd");
        Command.require("docker");
        if (Files.exists(dir.resolve("docker.pid"))) {
            // A dockerd left by an interrupted run: stop it before taking its place.
            new Command(List.of("pkill", "-f", "--", "--data-root " + dir.resolve("data")), Map.of(), Duration.ofSeconds(10)).run();
            Thread.sleep(2000);
        }
        deleteTree(dir);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("daemon.json"), daemonJson);
        List<String> args = new ArrayList<>(wrapper);
        args.addAll(List.of("dockerd", "--storage-driver=vfs", "--iptables=false", "--bridge=none",
                "--data-root", dir.resolve("data").toString(), "--exec-root", dir.resolve("exec").toString(),
                "-H", "unix://" + dir.resolve("docker.sock"), "--pidfile", dir.resolve("docker.pid").toString(),
                "--config-file", dir.resolve("daemon.json").toString()));
        ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true)
                .redirectOutput(dir.resolve("dockerd.log").toFile());
        pb.environment().putAll(Command.NO_INTERNET);
        Dockerd d = new Dockerd(dir, pb.start());
        try {
            d.awaitReady(Duration.ofSeconds(60));
        } catch (RuntimeException | Error | InterruptedException e) {
            d.close();
            throw e;
        }
        return d;
    }

    private void awaitReady(Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("dockerd exited: " + log());
            }
            if (docker("version").timeout(Duration.ofSeconds(10)).run().exitCode() == 0) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("dockerd did not answer within " + limit + ": " + log());
    }

    /** A docker CLI command against this daemon. */
    public Command docker(String... args) {
        List<String> all = new ArrayList<>(List.of("docker", "-H", host));
        all.addAll(List.of(args));
        // The CLI's own config (docker login credentials) stays in this daemon's directory.
        return new Command(all, Map.of("DOCKER_CONFIG", dir.resolve("client").toString()), Duration.ofMinutes(3))
                .withNoInternet();
    }

    /**
     * Imports a one-layer image made of busybox-static (no Docker Hub needed) as {@code tag}, and
     * builds {@code tag2} on it with {@code payload} at /payload as a second layer.
     */
    public void buildBusyboxImages(Path work, String tag, String tag2, byte[] payload) throws IOException, InterruptedException {
        Path rootfs = Files.createDirectories(work.resolve("rootfs-" + Math.abs(tag.hashCode()) + "/bin"));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("busybox"));
        for (String tool : List.of("sh", "ls", "cat", "echo", "sha256sum")) {
            Files.createSymbolicLink(rootfs.resolve(tool), Path.of("busybox"));
        }
        Path tar = work.resolve("rootfs-" + Math.abs(tag.hashCode()) + ".tar");
        Command.of("tar", "-C", rootfs.getParent().toString(), "-cf", tar.toString(), ".").run().orFail("tar");
        docker("import", "-c", "CMD [\"/bin/sh\"]", "-", tag).run(tar).orFail("docker import");
        Path context = Files.createDirectories(work.resolve("build-" + Math.abs(tag2.hashCode())));
        Files.write(context.resolve("payload"), payload);
        Files.writeString(context.resolve("Dockerfile"), "FROM " + tag + "\nCOPY payload /payload\n");
        new Command(List.of("docker", "-H", host, "build", "--network", "none", "-t", tag2, context.toString()),
                Map.of("DOCKER_BUILDKIT", "0", "DOCKER_CONFIG", dir.resolve("client").toString()), Duration.ofMinutes(3)).withNoInternet().run().orFail("docker build");
    }

    /** The first repository digest of a local image ({@code name@sha256:...}). */
    public String repoDigest(String image) throws IOException, InterruptedException {
        return docker("image", "inspect", "--format", "{{index .RepoDigests 0}}", image).run()
                .orFail("docker image inspect").stdout().trim();
    }

    public Path dir() {
        return dir;
    }

    public String log() {
        try {
            String log = Files.readString(dir.resolve("dockerd.log"));
            return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // containerd-shim processes that outlive their daemon would keep files busy.
        new Command(List.of("pkill", "-f", dir.toString()), Map.of(), Duration.ofSeconds(10)).run();
        deleteTree(dir);
    }

    static void deleteTree(Path root) throws IOException, InterruptedException {
        if (!Files.exists(root)) {
            return;
        }
        // dockerd leaves mounts below its directories (netns, overlay, shm): unmount them, deepest first.
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] fields = line.split(" ");
            if (fields.length > 1 && (fields[1].equals(root.toString()) || fields[1].startsWith(root + "/"))) {
                mounts.add(fields[1]);
            }
        }
        mounts.sort(Comparator.comparingInt(String::length).reversed());
        for (String mount : mounts) {
            new Command(List.of("umount", "-l", mount), Map.of(), Duration.ofSeconds(10)).run();
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a busy mount point or shim file: left for the OS to clean with /tmp
                }
            }
        }
    }
}
