package io.hoard.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Gives a plain {@code java -jar hoard.jar} the JVM options Hoard is meant to run with. A JVM
 * started without options sizes its heap from the machine (a quarter of its memory) and grows it
 * under load — 366 MiB resident on a 24 GiB machine for work that needs a fifth of that. When the
 * jar is started with no JVM option at all (none on the command line, no {@code JAVA_TOOL_OPTIONS}
 * or {@code JDK_JAVA_OPTIONS}), the registry runs in a child JVM with {@link #OPTIONS} and a
 * start-up cache beside the jar (an AOT cache on JDK 25+, recorded once by {@code hoard train};
 * else a class-data archive), and this process only waits for it, passing on its exit code and
 * signals. Any JVM option means the operator chose: then nothing is relaunched (the image and
 * {@code scripts/run} pass their options). The child ends when this process dies.
 */
final class Launcher {
    /** Set in the child's environment (to the launcher's pid): it runs the registry itself. */
    static final String CHILD_ENV = "HOARD_LAUNCHER_PID";
    /**
     * Serial GC and a 160 MiB heap: a small footprint, no GC threads competing with the event
     * loops; blobs never pass through the heap. The same as {@code scripts/java-opts.sh}.
     */
    static final List<String> OPTIONS = List.of("-XX:+UseSerialGC", "-Xms32m", "-Xmx160m", "-Xss512k");
    /** The JDK whose AOT cache records method profiles as well as linked classes (JEP 515). */
    private static final int AOT_CACHE_JDK = 25;
    /** A training run under way in the background, stopped with the launcher. */
    private static volatile @Nullable Process training;

    private Launcher() {
    }

    /**
     * Runs the registry in a child JVM when this one was started with no options; returns its
     * exit code, or empty when this JVM should run the registry itself.
     */
    static OptionalInt runChildIfPlain(List<String> args) {
        if (System.getenv(CHILD_ENV) != null) {
            exitWithLauncher();
            return OptionalInt.empty();
        }
        Optional<Path> jar = ownJar();
        if (jar.isEmpty() || !startedPlain()) {
            return OptionalInt.empty();
        }
        List<String> command = new ArrayList<>(java());
        command.addAll(startupCache(jar.get()));
        command.add("-jar");
        command.add(jar.get().toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put(CHILD_ENV, Long.toString(ProcessHandle.current().pid()));
        Process child;
        try {
            child = builder.start();
        } catch (IOException e) {
            System.err.println("hoard: cannot start the registry's JVM (" + e.getMessage() + "); running in this one");
            return OptionalInt.empty();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop(child);
            if (!child.isAlive()) {
                Runtime.getRuntime().halt(child.exitValue()); // the registry's own status (0 once drained), not 143
            }
        }, "hoard-launcher"));
        while (true) {
            try {
                return OptionalInt.of(child.waitFor());
            } catch (InterruptedException e) {
                // keep waiting: the shutdown hook stops the child
            }
        }
    }

    private static List<String> java() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(OPTIONS);
        if (Runtime.version().feature() >= 24) {
            // Netty writes through sun.misc.Unsafe only when allowed (JDK 24+ warns about it otherwise).
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        return command;
    }

    /**
     * On JDK 25+ the AOT cache beside the jar when there is one; when there is none yet, this start
     * uses a class-data archive and a training run ({@code hoard train}) records the AOT cache
     * meanwhile, in the background, for the starts after it. Older JDKs: the class-data archive.
     */
    private static List<String> startupCache(Path jar) {
        if (Runtime.version().feature() >= AOT_CACHE_JDK) {
            Path aot = cacheFile(jar, "hoard.aot");
            if (Files.exists(aot)) {
                return List.of("-XX:AOTCache=" + aot, "-Xlog:aot=off", "-Xlog:cds=off");
            }
            if (!trainingUnderWay(aot)) {
                Thread.ofVirtual().name("hoard-aot-training").start(() -> train(jar, aot));
            }
        }
        return classDataSharing(jar);
    }

    private static List<String> classDataSharing(Path jar) {
        return List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + cacheFile(jar, "hoard.jsa"),
                "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }

    /**
     * Whether another launcher's training is recording the cache now. Partial files of launchers
     * that are gone (killed before their training ended) are removed here.
     */
    private static boolean trainingUnderWay(Path aot) {
        String prefix = aot.getFileName() + ".partial-";
        boolean running = false;
        try (var files = Files.list(aot.toAbsolutePath().getParent())) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList()) {
                String rest = f.getFileName().toString().substring(prefix.length());
                String pid = rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest;
                boolean alive;
                try {
                    alive = ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
                } catch (NumberFormatException e) {
                    alive = false;
                }
                if (alive) {
                    running = true;
                } else {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            // nothing to clean up, or cannot: a training run will simply start
        }
        return running;
    }

    /**
     * Records the AOT cache under a name of its own, then renames it into place: concurrent first
     * starts never see a half-written cache. Best effort: without it, starts use the archive.
     */
    private static void train(Path jar, Path aot) {
        Path partial = aot.resolveSibling(aot.getFileName() + ".partial-" + ProcessHandle.current().pid());
        List<String> command = new ArrayList<>(java());
        command.addAll(List.of("-XX:AOTCacheOutput=" + partial, "-jar", jar.toString(), "train"));
        try {
            Process run = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            training = run;
            if (run.waitFor(300, TimeUnit.SECONDS) && run.exitValue() == 0 && Files.exists(partial)) {
                Files.move(partial, aot, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } else {
                run.destroyForcibly();
            }
        } catch (IOException e) {
            // no cache this time
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                Files.deleteIfExists(partial);
                Files.deleteIfExists(partial.resolveSibling(partial.getFileName() + ".config"));
            } catch (IOException ignored) {
                // left for the next start's clean-up
            }
        }
    }

    /** SIGTERM or Ctrl-C here: the child drains and stops the same way (its own shutdown hook). */
    private static void stop(Process child) {
        Process run = training;
        if (run != null) {
            run.destroyForcibly(); // recorded again at the next start
        }
        if (!child.isAlive()) {
            return;
        }
        child.destroy();
        try {
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
        }
    }

    /** In the child: when the launcher is killed outright (no shutdown hook ran), the registry stops too. */
    private static void exitWithLauncher() {
        try {
            long pid = Long.parseLong(System.getenv(CHILD_ENV));
            ProcessHandle.of(pid).ifPresentOrElse(p -> p.onExit().thenRun(() -> System.exit(143)), () -> System.exit(143));
        } catch (NumberFormatException e) {
            // not set by a launcher: nothing to watch
        }
    }

    /** No JVM option on the command line or in the environment variables the launcher reads. */
    private static boolean startedPlain() {
        if (notBlank(System.getenv("JAVA_TOOL_OPTIONS")) || notBlank(System.getenv("JDK_JAVA_OPTIONS"))) {
            return false;
        }
        Optional<String[]> arguments = ProcessHandle.current().info().arguments();
        if (arguments.isEmpty()) {
            return false;
        }
        // java [options] -jar hoard.jar [args]: anything before -jar is a JVM option.
        String[] a = arguments.get();
        return a.length > 0 && a[0].equals("-jar");
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    /** The jar this class was loaded from, when it was loaded from one. */
    private static Optional<Path> ownJar() {
        try {
            var source = Launcher.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return Optional.empty();
            }
            Path path = Path.of(source.getLocation().toURI());
            return path.toString().endsWith(".jar") && Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /**
     * Where a start-up cache goes: beside the jar when that directory is writable, else the
     * temporary directory. A cache older than the jar describes classes that changed and is removed
     * (the JVM would keep using it and start slowly instead of writing a new one).
     */
    static Path cacheFile(Path jar, String name) {
        Path dir = jar.toAbsolutePath().getParent();
        Path archive = dir != null && Files.isWritable(dir) ? dir.resolve(name)
                : Path.of(System.getProperty("java.io.tmpdir"), Integer.toHexString(jar.toString().hashCode()) + "-" + name);
        try {
            if (Files.exists(archive) && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) < 0) {
                Files.delete(archive);
            }
        } catch (IOException e) {
            // a stale archive only costs start-up time
        }
        return archive;
    }
}
