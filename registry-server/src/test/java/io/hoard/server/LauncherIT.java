package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.server.it.Distribution;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar as a user starts it: {@code java -jar hoard.jar} with no JVM options runs the
 * registry in a child JVM with Hoard's own (bounded heap), which ends when the launcher is stopped;
 * with any JVM option nothing is relaunched.
 */
final class LauncherIT {
    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Path jar() {
        Path repo = Path.of(System.getProperty("hoard.repo.root", "..")).toAbsolutePath().normalize();
        return repo.resolve("registry-server/target/hoard.jar");
    }

    private Process start(List<String> jvmOptions, int port) throws Exception {
        Path config = work.resolve("config.yml");
        Files.writeString(config, "version: 0.1\nlog: {level: warn}\nstorage: {inmemory: {}}\nhttp: {addr: 127.0.0.1:" + port
                + "}\n");
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar().toString(), "serve", config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("out.log").toFile());
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        Process p = builder.start();
        for (int i = 0; i < 300; i++) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return p;
                }
            } catch (java.io.IOException notYet) {
                Thread.sleep(100);
            }
        }
        p.destroyForcibly();
        throw new AssertionError("not serving after 30 s:\n" + Files.readString(work.resolve("out.log")));
    }

    /** The registry's JVM (not a training run the launcher may have started beside it). */
    private static Optional<ProcessHandle> child(Process p) {
        return p.toHandle().children().filter(c -> c.info().commandLine().orElse("").contains(" serve ")).findFirst();
    }

    @Test
    void aPlainJavaJarRunsTheRegistryWithHoardsOptionsAndStopsItWithTheLauncher() throws Exception {
        Process launcher = start(List.of(), Distribution.freePort());
        try {
            ProcessHandle registry = child(launcher).orElseThrow(() -> new AssertionError("no child JVM"));
            String cmdline = registry.info().commandLine().orElse("");
            assertThat(cmdline).contains("-Xmx160m").contains("-XX:+UseSerialGC").contains("-jar");
            launcher.destroy(); // SIGTERM, as a service manager or Ctrl-C would
            assertThat(launcher.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(launcher.exitValue()).as("a drained stop is a success").isZero();
            assertThat(registry.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
        } finally {
            launcher.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
        }
    }

    @Test
    void aChildOutlivesNoLauncherKilledOutright() throws Exception {
        Process launcher = start(List.of(), Distribution.freePort());
        List<ProcessHandle> below = launcher.toHandle().descendants().toList();
        try {
            ProcessHandle registry = child(launcher).orElseThrow(() -> new AssertionError("no child JVM"));
            launcher.destroyForcibly(); // SIGKILL: no shutdown hook runs in the launcher
            assertThat(registry.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
        } finally {
            below.forEach(ProcessHandle::destroyForcibly); // a training run the launcher had started, too
        }
    }

    @Test
    void anyJvmOptionMeansNoRelaunch() throws Exception {
        Process direct = start(List.of("-Xmx96m"), Distribution.freePort());
        try {
            assertThat(child(direct)).isEmpty();
        } finally {
            direct.destroy();
            assertThat(direct.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(direct.exitValue()).as("SIGTERM, drained: exit 0").isZero();
            direct.destroyForcibly();
        }
    }
}
