package io.hoard.server;

import io.hoard.config.ConfigException;
import io.hoard.config.ConfigLoader;
import io.hoard.config.RegistryConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/**
 * {@code hoard [serve] [config.yml]}: with no file (and no {@code REGISTRY_CONFIGURATION_PATH}),
 * an embedded default — filesystem storage under {@code ./data}, listening on :5000.
 */
public final class Main {
    static final String DEFAULT_CONFIG = "/io/hoard/server/default-config.yml";

    private Main() {
    }

    public static void main(String[] args) {
        List<String> rest = new ArrayList<>(List.of(args));
        if (!rest.isEmpty() && (rest.get(0).equals("--help") || rest.get(0).equals("-h") || rest.get(0).equals("help"))) {
            System.out.println("""
                    usage: hoard [serve|healthcheck] [config.yml] | hoard train
                           hoard garbage-collect [--dry-run|-d] [--delete-untagged|-m] config.yml
                           hoard copy|pin|unpin|pins ...   (the admin API; hoard copy --help)
                           hoard export [--config config.yml] REPO:TAG... -o file.tar
                           hoard import [--config config.yml] file.tar[.gz] [--repository R]
                      serve       run the registry (the default command)
                      healthcheck ask the registry of this config on this machine for /v2/; exit 0 when healthy
                      garbage-collect
                                  delete blobs no manifest references (and with -m manifests no tag reaches),
                                  as distribution's; run it while no registry writes to that storage
                      train       run a short workload on loopback and exit: with -XX:AOTCacheOutput (JDK 25+)
                                  it records the JVM's AOT cache that later starts use (scripts do this)
                      config.yml  distribution-compatible configuration; default: $REGISTRY_CONFIGURATION_PATH,
                                  else an embedded config storing under ./data and listening on :5000
                    Every key can be overridden with REGISTRY_<SECTION>_<KEY>, e.g. REGISTRY_HTTP_ADDR=:5001.""");
            return;
        }
        if (rest.size() == 1 && rest.get(0).equals("train")) {
            try {
                Training.run();
                System.exit(0);
            } catch (Exception e) {
                fail("training failed: " + e);
            }
        }
        if (!rest.isEmpty() && java.util.Set.of("copy", "pin", "unpin", "pins").contains(rest.get(0))) {
            List<String> args1 = rest.subList(1, rest.size());
            if (args1.contains("--help") || args1.contains("-h")) {
                System.out.println(io.hoard.server.admin.AdminClient.USAGE);
                System.exit(0);
            }
            try {
                System.exit(io.hoard.server.admin.AdminClient.run(rest.get(0), args1, System.getenv(), System.in, System.out,
                        System.err));
            } catch (IllegalArgumentException e) {
                fail(e.getMessage() + "\n" + io.hoard.server.admin.AdminClient.USAGE);
            }
        }
        if (!rest.isEmpty() && (rest.get(0).equals("export") || rest.get(0).equals("import"))) {
            try {
                System.exit(ArchiveCommands.run(rest.get(0), rest.subList(1, rest.size()), System.getenv(), System.out,
                        System.err));
            } catch (ConfigException e) {
                fail(String.valueOf(e.getMessage()));
            } catch (RuntimeException e) {
                fail(rest.get(0) + " failed: " + e.getMessage());
            }
        }
        if (!rest.isEmpty() && rest.get(0).equals("garbage-collect")) {
            try {
                GarbageCollect.Options options = GarbageCollect.Options.parse(rest.subList(1, rest.size()));
                RegistryConfig config = loadConfig(options.config(), System.getenv());
                Logging.configure(config.log());
                System.exit(GarbageCollect.run(config, options, System.out));
            } catch (ConfigException e) {
                fail(String.valueOf(e.getMessage()));
            } catch (RuntimeException e) {
                fail("garbage collection failed: " + e.getMessage());
            }
        }
        boolean healthcheck = !rest.isEmpty() && rest.get(0).equals("healthcheck");
        if (!rest.isEmpty() && (rest.get(0).equals("serve") || healthcheck)) {
            rest.remove(0);
        }
        if (rest.size() > 1) {
            fail("too many arguments: " + rest + " (usage: hoard [serve|healthcheck] [config.yml])");
        }
        if (!healthcheck) {
            java.util.OptionalInt launched = Launcher.runChildIfPlain(List.of(args));
            if (launched.isPresent()) {
                System.exit(launched.getAsInt());
            }
        }
        try {
            RegistryConfig config = loadConfig(rest.isEmpty() ? null : rest.get(0), System.getenv());
            if (healthcheck) {
                System.exit(HealthCheck.run(config, java.time.Duration.ofSeconds(5)));
            }
            Logging.configure(config.log());
            RegistryApp app = RegistryApp.start(config);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                app.close();
                stopped.countDown();
                // SIGTERM is how a service manager stops the registry: once drained, that is success,
                // not the JVM's 143.
                Runtime.getRuntime().halt(0);
            }, "hoard-shutdown"));
            stopped.await();
        } catch (ConfigException e) {
            fail("configuration error: " + e.getMessage());
        } catch (Exception e) {
            fail("cannot start: " + startFailure(e));
        }
    }

    /** One line saying why the start failed: a port in use says which and what to do. */
    static String startFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t instanceof java.net.BindException || message.contains("Address already in use")) {
                return "the address is already in use (" + message.replaceAll(".*bind\\(\\.\\.\\) failed: ", "")
                        + "): another process listens on that port; stop it, or set http.addr "
                        + "(REGISTRY_HTTP_ADDR) or http.debug.addr to a free one";
            }
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    static RegistryConfig loadConfig(@Nullable String file, Map<String, String> env) {
        String path = file != null ? file : env.get(ConfigLoader.CONFIGURATION_PATH_ENV);
        if (path != null && !path.isEmpty()) {
            return ConfigLoader.load(Path.of(path), env);
        }
        try (InputStream in = Main.class.getResourceAsStream(DEFAULT_CONFIG)) {
            if (in == null) {
                throw new ConfigException("the embedded default configuration is missing from the build");
            }
            return ConfigLoader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), env, "embedded default config");
        } catch (IOException e) {
            throw new ConfigException("cannot read the embedded default configuration: " + e);
        }
    }

    private static void fail(String message) {
        System.err.println("hoard: " + message);
        System.exit(2);
    }
}
