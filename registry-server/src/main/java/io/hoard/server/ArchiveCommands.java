package io.hoard.server;

import io.hoard.config.ConfigException;
import io.hoard.config.RegistryConfig;
import io.hoard.server.archive.ImageExporter;
import io.hoard.server.archive.ImageImporter;
import io.hoard.storage.DriverRegistry;
import io.hoard.storage.driver.StorageDriver;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code hoard export [--config config.yml] REPO:TAG… -o file.tar} and
 * {@code hoard import [--config config.yml] file.tar[.gz] [--repository R]}: offline, on the storage
 * of a configuration (default: as {@code hoard serve} would choose it), safe while registries serve it.
 */
final class ArchiveCommands {
    static final String USAGE = """
            usage: hoard export [--config config.yml] REPOSITORY[:TAG|@DIGEST]... -o FILE.tar
                   hoard import [--config config.yml] FILE.tar[.gz] [--repository REPOSITORY]""";

    private ArchiveCommands() {
    }

    /** Runs {@code command} ("export" or "import"); the exit status. */
    static int run(String command, List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        String config = null;
        String output = null;
        String repository = null;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--config", "-c" -> config = value(args, ++i, a);
                case "-o", "--output" -> output = value(args, ++i, a);
                case "--repository", "-r" -> repository = value(args, ++i, a);
                default -> {
                    if (a.startsWith("-")) {
                        throw new ConfigException("unknown option " + a + "\n" + USAGE);
                    }
                    positional.add(a);
                }
            }
        }
        boolean export = command.equals("export");
        if (export ? positional.isEmpty() || output == null || repository != null
                : positional.size() != 1 || output != null) {
            throw new ConfigException((export ? "export needs images and -o FILE" : "import needs one archive") + "\n" + USAGE);
        }
        RegistryConfig cfg = Main.loadConfig(config, env);
        StorageDriver driver = GarbageCollect.storage(cfg);
        DriverRegistry registry = new DriverRegistry(driver);
        try {
            if (export) {
                ImageExporter.Result r = new ImageExporter(registry).export(positional, Path.of(output), out);
                out.printf("wrote %s: %d images, %d blobs, %d bytes%n", output, r.images(), r.blobs(), r.bytes());
            } else {
                Path spool = driver.localRoot().map(root -> root.resolve("_spool"))
                        .orElse(Path.of(System.getProperty("java.io.tmpdir"), "hoard-spool"));
                ImageImporter.Result r = new ImageImporter(registry, spool).importArchive(Path.of(positional.get(0)),
                        repository, out);
                out.printf("imported %d images: %d blobs stored, %d already there%n", r.images().size(), r.blobsStored(),
                        r.blobsPresent());
            }
            return 0;
        } catch (ImageImporter.ArchiveException e) {
            err.println("hoard: import refused, nothing stored: " + e.getMessage());
            return 1;
        } catch (io.hoard.model.RegistryException e) {
            err.println("hoard: " + command + " failed: " + e.detail());
            return 1;
        } catch (IOException | java.io.UncheckedIOException e) {
            err.println("hoard: " + command + " failed: " + e.getMessage());
            return 1;
        }
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new ConfigException(option + " needs a value\n" + USAGE);
        }
        return args.get(i);
    }
}
