package io.hoard.server.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external program with a time limit and captures what it prints. */
public record Command(List<String> args, Map<String, String> env, Duration timeout) {

    /** A peer must not reach the internet by accident: a mirror failure has to fail the test. */
    public static final Map<String, String> NO_INTERNET = Map.of(
            "HTTP_PROXY", "http://127.0.0.1:9", "HTTPS_PROXY", "http://127.0.0.1:9",
            "http_proxy", "http://127.0.0.1:9", "https_proxy", "http://127.0.0.1:9",
            "NO_PROXY", "127.0.0.1,localhost,::1,.test", "no_proxy", "127.0.0.1,localhost,::1,.test");

    public static Command of(String... args) {
        return new Command(List.of(args), NO_INTERNET, Duration.ofMinutes(3));
    }

    /** The same command with {@link #NO_INTERNET} added to its environment. */
    public Command withNoInternet() {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.putAll(NO_INTERNET);
        return new Command(args, Map.copyOf(all), timeout);
    }

    public Command timeout(Duration limit) {
        return new Command(args, env, limit);
    }

    /** The result of a finished run. */
    public record Result(int exitCode, String stdout, String stderr) {
        public Result orFail(String what) {
            if (exitCode != 0) {
                throw new AssertionError(what + " failed (exit " + exitCode + "):\n" + stdout + "\n" + stderr);
            }
            return this;
        }
    }

    public Result run() throws IOException, InterruptedException {
        return run(null);
    }

    /** Runs with {@code stdin} fed from a file (or nothing). */
    public Result run(Path stdin) throws IOException, InterruptedException {
        Path out = Files.createTempFile("hoard-cmd", ".out");
        Path err = Files.createTempFile("hoard-cmd", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(args)).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            if (stdin != null) {
                pb.redirectInput(stdin.toFile());
            } else {
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", args) + "\n"
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs skopeo without any registries.conf (no mirrors, no search registries) and fails on error. */
    public static Result skopeo(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("skopeo", "--registries-conf", "/dev/null"));
        all.addAll(List.of(args));
        return new Command(all, NO_INTERNET, Duration.ofMinutes(3)).run().orFail("skopeo " + String.join(" ", args));
    }

    /** Fails clearly when a tool the integration tests need is not installed. */
    /** An htpasswd line for {@code user} with a bcrypt hash of {@code password} ({@code htpasswd -Bbn}). */
    public static String htpasswdEntry(String user, String password) throws IOException, InterruptedException {
        require("htpasswd");
        return of("htpasswd", "-Bbn", user, password).run().orFail("htpasswd").stdout().strip();
    }

    public static void require(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return;
            }
        }
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return;
            }
        }
        throw new AssertionError(tool + " is not installed: run scripts/install-test-deps (or scripts/test, which does)");
    }
}
