package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hoard.server.it.LogCapture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Registration with Consul. Consul is not packaged for our machines, so this runs against a small
 * stand-in of the agent and catalog endpoints Hoard and its clients use, in the test JVM:
 * {@code PUT /v1/agent/service/register}, {@code GET /v1/agent/service/<id>},
 * {@code PUT /v1/agent/service/deregister/<id>} and {@code GET /v1/catalog/service/<name>}.
 */
final class ConsulRegistrationTest {
    private final Map<String, JsonNode> services = new ConcurrentHashMap<>();
    private volatile boolean down;
    private HttpServer agent;

    @BeforeEach
    void startAgent() throws IOException {
        agent = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        agent.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        agent.createContext("/v1/", this::handle);
        agent.start();
    }

    @AfterEach
    void stopAgent() {
        agent.stop(0);
    }

    private void handle(HttpExchange e) throws IOException {
        try (e) {
            String path = e.getRequestURI().getPath();
            String method = e.getRequestMethod();
            if (down) {
                e.sendResponseHeaders(500, -1);
                return;
            }
            if (method.equals("PUT") && path.equals("/v1/agent/service/register")) {
                JsonNode service = TestRegistry.JSON.readTree(e.getRequestBody());
                services.put(service.path("ID").asText(), service);
                e.sendResponseHeaders(200, -1);
            } else if (method.equals("PUT") && path.startsWith("/v1/agent/service/deregister/")) {
                services.remove(path.substring("/v1/agent/service/deregister/".length()));
                e.sendResponseHeaders(200, -1);
            } else if (method.equals("GET") && path.startsWith("/v1/agent/service/")) {
                JsonNode s = services.get(path.substring("/v1/agent/service/".length()));
                send(e, s == null ? 404 : 200, s == null ? TestRegistry.JSON.createObjectNode() : s);
            } else if (method.equals("GET") && path.startsWith("/v1/catalog/service/")) {
                String name = path.substring("/v1/catalog/service/".length());
                ArrayNode nodes = TestRegistry.JSON.createArrayNode();
                services.values().stream().filter(s -> s.path("Name").asText().equals(name)).forEach(s -> {
                    ObjectNode n = nodes.addObject();
                    n.put("ServiceID", s.path("ID").asText()).put("ServiceName", name)
                            .put("ServiceAddress", s.path("Address").asText()).put("ServicePort", s.path("Port").asInt());
                    n.set("ServiceTags", s.path("Tags"));
                });
                send(e, 200, nodes);
            } else {
                e.sendResponseHeaders(404, -1);
            }
        }
    }

    private static void send(HttpExchange e, int status, JsonNode body) throws IOException {
        byte[] bytes = TestRegistry.JSON.writeValueAsBytes(body);
        e.sendResponseHeaders(status, bytes.length);
        e.getResponseBody().write(bytes);
    }

    private JsonNode catalog() throws Exception {
        return TestRegistry.JSON.readTree(java.net.URI.create("http://127.0.0.1:" + agent.getAddress().getPort()
                + "/v1/catalog/service/docker_registry").toURL());
    }

    private String config() {
        return "storage:\n  inmemory: {}\nregistration:\n  consul:\n    address: http://127.0.0.1:"
                + agent.getAddress().getPort() + "\n    tags: [cache]\n    checkinterval: 1s\n";
    }

    @Test
    void registersWithAHealthCheckComesBackWhenForgottenAndLeavesOnShutdown() throws Exception {
        TestRegistry hoard = TestRegistry.start(config());
        int port = hoard.app.address().getPort();
        try {
            await(() -> !services.isEmpty());
            JsonNode entry = catalog().get(0);
            assertThat(entry.path("ServiceAddress").asText()).isEqualTo("127.0.0.1");
            assertThat(entry.path("ServicePort").asInt()).isEqualTo(port);
            assertThat(entry.path("ServiceTags").toString()).contains("cache");
            JsonNode service = services.values().iterator().next();
            assertThat(service.path("Check").path("HTTP").asText()).isEqualTo("http://127.0.0.1:" + port + "/healthz");
            assertThat(service.path("Meta").path("url").asText()).isEqualTo("http://127.0.0.1:" + port);

            services.clear(); // the agent restarted and forgot it
            await(() -> !services.isEmpty());
        } finally {
            hoard.close();
        }
        assertThat(services).as("deregistered at shutdown").isEmpty();
        assertThat(catalog()).isEmpty();
    }

    @Test
    void anAgentThatIsDownDoesNotStopTheRegistryWhichRegistersOnceItIsBack() throws Exception {
        down = true;
        try (LogCapture log = new LogCapture(); TestRegistry hoard = TestRegistry.start(config())) {
            assertThat(hoard.get("/v2/").statusCode()).isEqualTo(200);
            Thread.sleep(3500); // a few failed attempts
            down = false;
            await(() -> !services.isEmpty());
            assertThat(log.text().split("registration with consul", -1)).as("the failure is logged once").hasSize(2);
            assertThat(log.text()).contains("registered with consul");
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 200 && !condition.getAsBoolean(); i++) {
            Thread.sleep(50);
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }
}
