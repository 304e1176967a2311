package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoard.server.it.Command;
import io.hoard.server.it.Distribution;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped monitoring (docker/monitoring): the alert rules pass {@code promtool check rules}, a
 * real Prometheus (Debian's) scrapes Hoard's debug listener and evaluates every rule without error,
 * and every metric the rules and the Grafana dashboard name is one Hoard exports.
 */
@Timeout(180)
final class MonitoringIT {
    private static final Pattern METRIC = Pattern.compile("\\b(hoard_[a-z_]+|jvm_[a-z_]+|disk_[a-z_]+|process_[a-z_]+)\\b");

    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void prometheusScrapesHoardAndEvaluatesTheShippedRules() throws Exception {
        Command.require("prometheus");
        Path repo = Path.of(System.getProperty("hoard.repo.root", "..")).toAbsolutePath().normalize();
        Path rules = repo.resolve("docker/monitoring/alerts.yml");
        Path dashboard = repo.resolve("docker/monitoring/grafana-dashboard.json");
        Command.of("promtool", "check", "rules", rules.toString()).run().orFail("promtool check rules");

        int debugPort = Distribution.freePort();
        try (TestRegistry upstream = TestRegistry.inMemory("");
                TestRegistry hoard = TestRegistry.withHttp("  debug:\n    addr: 127.0.0.1:" + debugPort
                        + "\n    prometheus:\n      enabled: true\n", "storage:\n  filesystem:\n    rootdirectory: "
                        + work.resolve("data") + "\nproxy:\n  remoteurl: " + upstream.base + "\n")) {
            upstream.pushImage("library/app", "1", TestRegistry.randomBytes(10_000, 1));
            assertThat(hoard.get("/v2/library/app/manifests/1", "Accept", TestRegistry.OCI_MANIFEST).statusCode())
                    .isEqualTo(200);
            String scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + debugPort + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();

            Set<String> named = new TreeSet<>();
            named.addAll(metricNames(Files.readString(rules)));
            for (JsonNode panel : TestRegistry.JSON.readTree(dashboard.toFile()).path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    named.addAll(metricNames(target.path("expr").asText()));
                }
            }
            assertThat(named).isNotEmpty();
            for (String metric : named) {
                assertThat(scrape).as("a metric the rules or the dashboard use").contains(metric);
            }

            int prometheusPort = Distribution.freePort();
            Files.copy(rules, work.resolve("alerts.yml"));
            Path config = Files.writeString(work.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    rule_files: [alerts.yml]
                    scrape_configs:
                      - job_name: hoard
                        static_configs:
                          - targets: ["127.0.0.1:%d"]
                    """.formatted(debugPort));
            Process prometheus = new ProcessBuilder(List.of("prometheus", "--config.file=" + config,
                    "--storage.tsdb.path=" + work.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + prometheusPort))
                    .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
            try {
                String api = "http://127.0.0.1:" + prometheusPort + "/api/v1/";
                JsonNode up = await(api + "query?query=" + URLEncoder.encode("up{job=\"hoard\"}", StandardCharsets.UTF_8),
                        r -> r.path("data").path("result").path(0).path("value").path(1).asText().equals("1"));
                assertThat(up.path("status").asText()).isEqualTo("success");
                JsonNode requests = await(api + "query?query=" + URLEncoder.encode(
                        "hoard_http_requests_seconds_count{route=\"manifest\"}", StandardCharsets.UTF_8),
                        r -> r.path("data").path("result").size() > 0);
                assertThat(requests.path("data").path("result").get(0).path("metric").path("status").asText())
                        .isEqualTo("200");
                JsonNode evaluated = await(api + "rules", r -> allRules(r).stream()
                        .allMatch(rule -> rule.path("health").asText().equals("ok")));
                assertThat(allRules(evaluated)).hasSize(9);
                assertThat(allRules(evaluated)).allSatisfy(rule -> assertThat(rule.path("lastError").asText("")).isEmpty());
            } finally {
                prometheus.destroy();
                if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                }
            }
        }
    }

    private static List<JsonNode> allRules(JsonNode answer) {
        List<JsonNode> rules = new java.util.ArrayList<>();
        answer.path("data").path("groups").forEach(g -> g.path("rules").forEach(rules::add));
        return rules;
    }

    private JsonNode await(String url, java.util.function.Predicate<JsonNode> done) throws Exception {
        JsonNode last = null;
        for (int i = 0; i < 300; i++) {
            try {
                last = TestRegistry.JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                if (done.test(last)) {
                    return last;
                }
            } catch (java.io.IOException starting) {
                // Prometheus is still starting
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Prometheus never answered as expected at " + url + ": " + last + "\n"
                + Files.readString(work.resolve("prometheus.log")));
    }

    private static Set<String> metricNames(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            // A histogram or counter pair is named by its series: the scrape holds _bucket, _count, _sum.
            names.add(name);
        }
        return names;
    }
}
