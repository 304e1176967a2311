package io.hoard.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A single-member etcd (Debian's etcd-server) on loopback, with its data in {@code dir}, restartable. */
public final class Etcd implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final int clientPort;
    private final int peerPort;
    private final HttpClient http = HttpClient.newHttpClient();
    private Process process;

    private Etcd(Path dir, int clientPort, int peerPort) {
        this.dir = dir;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
    }

    public static Etcd start(Path dir) throws IOException, InterruptedException {
        Command.require("etcd");
        Etcd etcd = new Etcd(Files.createDirectories(dir), Distribution.freePort(), Distribution.freePort());
        etcd.launch();
        return etcd;
    }

    public String url() {
        return "http://127.0.0.1:" + clientPort;
    }

    private void launch() throws IOException, InterruptedException {
        String peer = "http://127.0.0.1:" + peerPort;
        process = new ProcessBuilder(List.of("etcd", "--name", "hoard-test", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", url(), "--advertise-client-urls", url(), "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer, "--initial-cluster", "hoard-test=" + peer))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile()))
                .start();
        for (int i = 0; i < 200; i++) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url() + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).body().contains("true")) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("etcd did not start:\n" + Files.readString(dir.resolve("etcd.log")));
    }

    /** Stops etcd (SIGTERM) and starts it again on the same data and ports. */
    public void restart() throws IOException, InterruptedException {
        process.destroy();
        process.waitFor(20, TimeUnit.SECONDS);
        launch();
    }

    /** The keys under {@code prefix} with their values. */
    public Map<String, String> keys(String prefix) throws IOException, InterruptedException {
        byte[] start = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] end = start.clone();
        end[end.length - 1]++;
        String body = JSON.writeValueAsString(Map.of("key", Base64.getEncoder().encodeToString(start),
                "range_end", Base64.getEncoder().encodeToString(end)));
        JsonNode answer = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url() + "/v3/kv/range"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body());
        Map<String, String> keys = new LinkedHashMap<>();
        for (JsonNode kv : answer.path("kvs")) {
            keys.put(new String(Base64.getDecoder().decode(kv.path("key").asText()), StandardCharsets.UTF_8),
                    new String(Base64.getDecoder().decode(kv.path("value").asText()), StandardCharsets.UTF_8));
        }
        return keys;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
