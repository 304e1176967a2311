package io.hoard.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoard.model.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The CLI over the admin API: {@code hoard copy}, {@code hoard pin}, {@code hoard unpin},
 * {@code hoard pins}. The server is {@code --server} (default {@code $HOARD_SERVER}, else
 * {@code http://localhost:5000}); admin credentials come from {@code HOARD_ADMIN_USERNAME} and
 * {@code HOARD_ADMIN_PASSWORD} when the registry has {@code auth}. Source credentials for a copy
 * are read from standard input, never from the command line (where {@code ps} would show them).
 */
public final class AdminClient {
    public static final String USAGE = """
            usage: hoard copy SOURCE TARGET [--username U --password-stdin | --token-stdin] [--server URL] [--insecure]
                   hoard pin REFERENCE [--server URL] [--insecure]
                   hoard unpin REFERENCE [--server URL] [--insecure]
                   hoard pins [--server URL] [--insecure]
              SOURCE     [registry/]repository[:tag|@digest]: a configured upstream, any registry (with the
                         credentials given), or a repository of this registry
              TARGET     local repository[:tag]; the copy is pinned
              REFERENCE  repository, repository:tag or repository@digest
              --server   the registry (default $HOARD_SERVER, else http://localhost:5000)
              admin credentials: $HOARD_ADMIN_USERNAME and $HOARD_ADMIN_PASSWORD (users in admin.users)""";

    private final URI server;
    private final HttpClient http;
    private final @Nullable String adminAuthorization;
    private final PrintStream out;
    private final PrintStream err;

    AdminClient(URI server, boolean insecure, @Nullable String adminUser, @Nullable String adminPassword, PrintStream out,
            PrintStream err) {
        this.server = server;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (insecure) {
            System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
            builder.sslContext(trustAll());
        }
        this.http = builder.build();
        this.adminAuthorization = adminUser == null || adminUser.isEmpty() ? null : "Basic " + Base64.getEncoder()
                .encodeToString((adminUser + ":" + (adminPassword == null ? "" : adminPassword)).getBytes(StandardCharsets.UTF_8));
        this.out = out;
        this.err = err;
    }

    /** Runs {@code command} with {@code args}; the exit status (2: usage, 1: the server refused or failed). */
    public static int run(String command, List<String> args, Map<String, String> env, InputStream stdin, PrintStream out,
            PrintStream err) {
        List<String> positional = new ArrayList<>();
        String server = env.getOrDefault("HOARD_SERVER", "http://localhost:5000");
        String username = null;
        boolean passwordStdin = false;
        boolean tokenStdin = false;
        boolean insecure = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--server" -> server = value(args, ++i, a);
                case "--username", "-u" -> username = value(args, ++i, a);
                case "--password-stdin" -> passwordStdin = true;
                case "--token-stdin" -> tokenStdin = true;
                case "--insecure", "-k" -> insecure = true;
                default -> {
                    if (a.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + a);
                    }
                    positional.add(a);
                }
            }
        }
        int expected = command.equals("copy") ? 2 : command.equals("pins") ? 0 : 1;
        if (positional.size() != expected) {
            throw new IllegalArgumentException("hoard " + command + " takes " + expected + " argument"
                    + (expected == 1 ? "" : "s") + ", not " + positional.size());
        }
        if (passwordStdin && tokenStdin || passwordStdin != (username != null) || tokenStdin && username != null) {
            throw new IllegalArgumentException("give --username with --password-stdin, or --token-stdin alone");
        }
        AdminClient client = new AdminClient(URI.create(server.replaceAll("/+$", "")), insecure,
                env.get("HOARD_ADMIN_USERNAME"), env.get("HOARD_ADMIN_PASSWORD"), out, err);
        try {
            return switch (command) {
                case "copy" -> {
                    Map<String, String> credentials = null;
                    if (passwordStdin || tokenStdin) {
                        String secret = firstLine(stdin);
                        credentials = passwordStdin ? Map.of("username", username, "password", secret)
                                : Map.of("token", secret);
                    }
                    yield client.copy(positional.get(0), positional.get(1), credentials);
                }
                case "pin" -> client.pin(positional.get(0), true);
                case "unpin" -> client.pin(positional.get(0), false);
                case "pins" -> client.pins();
                default -> throw new IllegalArgumentException("unknown command " + command);
            };
        } catch (IOException e) {
            err.println("hoard: cannot reach " + server + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    int copy(String source, String target, @Nullable Map<String, String> credentials) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("source", source);
        body.put("target", target);
        if (credentials != null) {
            body.put("credentials", credentials);
        }
        HttpRequest request = request("copies").header("Content-Type", "application/json")
                .header("Accept", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body))).build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            return refused(response.statusCode(), response.body().readAllBytes());
        }
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                JsonNode event = Json.MAPPER.readTree(line);
                if (event.has("blob")) {
                    err.printf("[%d/%d] %s %s %s (%s of %s)%n", event.path("done").asInt(), event.path("total").asInt(),
                            event.path("fetched").asBoolean() ? "fetched" : "reused ", shortDigest(event.path("blob").asText()),
                            bytes(event.path("size").asLong()), bytes(event.path("bytesDone").asLong()),
                            bytes(event.path("bytesTotal").asLong()));
                } else if (event.has("result")) {
                    JsonNode r = event.get("result");
                    out.printf("copied %s to %s (%s): %d blobs fetched (%s), %d reused (%s); pinned%n", source,
                            r.path("target").asText(), r.path("digest").asText(), r.path("blobsFetched").asInt(),
                            bytes(r.path("bytesFetched").asLong()), r.path("blobsReused").asInt(),
                            bytes(r.path("bytesReused").asLong()));
                    return 0;
                } else if (event.has("error")) {
                    err.println("hoard: copy failed: " + event.get("error").path("code").asText() + ": "
                            + event.get("error").path("message").asText());
                    return 1;
                }
            }
        }
        err.println("hoard: the registry ended the copy's response without a result");
        return 1;
    }

    int pin(String reference, boolean pin) throws IOException, InterruptedException {
        HttpRequest.Builder request = request("pins/" + encodePath(reference));
        HttpResponse<byte[]> response = http.send((pin ? request.PUT(HttpRequest.BodyPublishers.noBody())
                : request.DELETE()).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() >= 300) {
            return refused(response.statusCode(), response.body());
        }
        out.println((pin ? (response.statusCode() == 201 ? "pinned " : "already pinned ") : "unpinned ") + reference);
        return 0;
    }

    int pins() throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(request("pins").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            return refused(response.statusCode(), response.body());
        }
        for (JsonNode p : Json.MAPPER.readTree(response.body()).path("pins")) {
            out.println(p.path("pin").asText() + "\t" + p.path("source").asText()
                    + (p.has("created") ? "\t" + p.path("created").asText() : ""));
        }
        return 0;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server + "/hoard/api/v1/" + path));
        if (adminAuthorization != null) {
            b.header("Authorization", adminAuthorization);
        }
        return b;
    }

    private int refused(int status, byte[] body) {
        String message;
        try {
            JsonNode error = Json.MAPPER.readTree(body).path("errors").path(0);
            message = error.path("code").asText() + ": " + (error.path("detail").isTextual()
                    ? error.path("detail").asText() : error.path("message").asText());
        } catch (IOException | RuntimeException e) {
            message = new String(body, StandardCharsets.UTF_8);
        }
        err.println("hoard: the registry answered " + status + ": " + message
                + (status == 401 ? " (set HOARD_ADMIN_USERNAME and HOARD_ADMIN_PASSWORD)" : ""));
        return 1;
    }

    private static String encodePath(String reference) {
        List<String> parts = new ArrayList<>();
        for (String segment : reference.split("/", -1)) {
            parts.add(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return String.join("/", parts);
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    private static String firstLine(InputStream in) throws IOException {
        String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        if (line == null || line.isEmpty()) {
            throw new IOException("nothing on standard input (the password or token)");
        }
        return line;
    }

    private static String shortDigest(String digest) {
        int colon = digest.indexOf(':');
        return colon > 0 && digest.length() > colon + 13 ? digest.substring(0, colon + 13) : digest;
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Trusts any certificate ({@code --insecure}), as the health check does for the registry's own. */
    private static javax.net.ssl.SSLContext trustAll() {
        try {
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE.getTrustManagers(),
                    new java.security.SecureRandom());
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
