package io.hoard.server;

import io.hoard.config.ConfigException;
import io.hoard.config.RegistryConfig;
import io.hoard.storage.DriverRegistry;
import io.hoard.storage.GarbageCollector;
import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StorageDrivers;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code hoard garbage-collect [--dry-run|-d] [--delete-untagged|-m] config.yml}: distribution's
 * offline garbage collection on the storage of a configuration. Stop the registry (or make it
 * read-only) first, as with distribution: a blob pushed during the run could be swept.
 */
final class GarbageCollect {
    static final String USAGE = "usage: hoard garbage-collect [--dry-run|-d] [--delete-untagged|-m] config.yml";

    private GarbageCollect() {
    }

    /** The flags and the config file from {@code args} (after the command); null config: the default. */
    record Options(boolean dryRun, boolean deleteUntagged, String config) {
        static Options parse(List<String> args) {
            boolean dryRun = false;
            boolean untagged = false;
            String config = null;
            for (String a : args) {
                switch (a) {
                    case "--dry-run", "-d" -> dryRun = true;
                    case "--delete-untagged", "-m" -> untagged = true;
                    default -> {
                        if (a.startsWith("-") || config != null) {
                            throw new ConfigException("unexpected argument '" + a + "' (" + USAGE + ")");
                        }
                        config = a;
                    }
                }
            }
            if (config == null) {
                throw new ConfigException("garbage-collect needs the configuration file (" + USAGE + ")");
            }
            return new Options(dryRun, untagged, config);
        }
    }

    /** The storage driver of {@code config}, for the commands that work on the store offline. */
    static StorageDriver storage(RegistryConfig config) {
        try {
            return StorageDrivers.create(config.storage().driver(), config.storage().parameters());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(String.valueOf(e.getMessage()));
        }
    }

    /** Runs it and prints what was (or would be) deleted; the exit status. */
    static int run(RegistryConfig config, Options options, PrintStream out) {
        StorageDriver driver = storage(config);
        DriverRegistry registry = new DriverRegistry(driver);
        io.hoard.proxy.ProxyRouter router = config.proxy().map(p -> new io.hoard.proxy.ProxyRouter(p,
                io.hoard.proxy.ProxyRouter.RepositoryState.of(registry))).orElse(null);
        java.util.Set<io.hoard.storage.Pin> pins = new java.util.HashSet<>(ConfiguredPins.of(config.proxy().orElse(null),
                ConfiguredPins.storedNames(router)));
        new io.hoard.storage.PinStore(driver).list().forEach(p -> pins.add(p.pin()));
        GarbageCollector.Report report = new GarbageCollector(driver, registry, pins)
                .run(options.dryRun(), options.deleteUntagged(), out::println);
        out.printf("%n%d blobs marked, %d blobs and %d manifests %s, %d bytes%n", report.blobsMarked(),
                report.blobs().size(), report.manifests().size(), options.dryRun() ? "eligible for deletion" : "deleted",
                report.bytes());
        return 0;
    }
}
