package io.hoard.server.health;

import io.hoard.config.HealthConfig;
import io.hoard.storage.driver.StorageDriver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;

/** The checks of a {@code health} section, and the storage probe. */
public final class Probes {
    private static final String PROBE_DIR = "/docker/registry/v2/_hoard/health/";

    private Probes() {
    }

    /** Adds every check of {@code config} to {@code monitor}; {@code storageName} is distribution's check name. */
    public static void addAll(HealthMonitor monitor, HealthConfig config, StorageDriver driver, String storageName,
            boolean readOnly) {
        monitor.add(storageName, config.storageDriverEnabled(), config.storageDriverInterval(),
                config.storageDriverThreshold(), readOnly ? () -> driver.list("/") : storage(driver));
        for (HealthConfig.FileCheck f : config.files()) {
            monitor.add("file:" + f.file(), true, f.interval(), 1, () -> {
                if (Files.exists(Path.of(f.file()))) {
                    throw new IOException("file " + f.file() + " exists");
                }
            });
        }
        addHttp(monitor, config.https());
        for (HealthConfig.TcpCheck t : config.tcps()) {
            monitor.add("tcp:" + t.addr(), true, t.interval(), t.threshold(), () -> {
                int colon = t.addr().lastIndexOf(':');
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(t.addr().substring(0, colon).replaceAll("^\\[|\\]$", ""),
                            Integer.parseInt(t.addr().substring(colon + 1))), (int) t.timeout().toMillis());
                } catch (IOException e) {
                    throw new IOException("cannot connect to " + t.addr() + ": " + e.getMessage());
                }
            });
        }
    }

    private static void addHttp(HealthMonitor monitor, java.util.List<HealthConfig.HttpCheck> checks) {
        if (checks.isEmpty()) {
            return;
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build();
        for (HealthConfig.HttpCheck h : checks) {
            monitor.add("http:" + h.uri(), true, h.interval(), h.threshold(), () -> {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(h.uri())).timeout(h.timeout()).GET();
                h.headers().forEach((name, values) -> values.forEach(v -> request.header(name, v)));
                HttpResponse<Void> r = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() != h.statusCode()) {
                    throw new IOException(h.uri() + " answered " + r.statusCode() + ", not " + h.statusCode());
                }
            });
        }
    }

    /**
     * Writes a small object under the storage root, reads it back and deletes it: a stat of the root
     * alone misses a root that went read-only, full, or was replaced by an empty mount.
     */
    static HealthMonitor.Check storage(StorageDriver driver) {
        String path = PROBE_DIR + UUID.randomUUID();
        return () -> {
            byte[] written = UUID.randomUUID().toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            try {
                driver.putContent(path, written);
                byte[] read = driver.getContent(path);
                if (!Arrays.equals(read, written)) {
                    throw new IOException("storage returned other bytes than were written");
                }
            } catch (IOException e) {
                throw new IOException("storage cannot write, read back and delete a small object: " + e.getMessage(), e);
            } finally {
                try {
                    driver.delete(path);
                } catch (IOException | RuntimeException ignored) {
                    // the write failed, or the next run overwrites it
                }
            }
        };
    }

}
