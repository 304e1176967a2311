package io.hoard.server.registration;

import io.hoard.config.RegistrationConfig;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Consul agent's service API: {@code PUT /v1/agent/service/register} with an HTTP check against
 * {@code /healthz}, a look at {@code /v1/agent/service/<id>} on every refresh (an agent that forgot
 * the service, after its restart, gets it again), {@code PUT /v1/agent/service/deregister/<id>} at
 * shutdown. Clients find the registry with {@code /v1/catalog/service/<name>}.
 */
final class ConsulRegistrar implements Registrar {
    private final RegistrationConfig.Consul config;
    private final ServiceRecord record;
    private final Http http = new Http();

    ConsulRegistrar(RegistrationConfig.Consul config, ServiceRecord record) {
        this.config = config;
        this.record = record;
    }

    @Override
    public String describe() {
        return "consul " + config.address();
    }

    @Override
    public void register() throws IOException, InterruptedException {
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("HTTP", record.url().resolve("/healthz").toString());
        check.put("Interval", config.checkInterval().toSeconds() + "s");
        check.put("Timeout", "5s");
        check.put("TLSSkipVerify", record.tls()); // a self-signed certificate is common on the registry
        check.put("DeregisterCriticalServiceAfter", "10m");
        Map<String, Object> service = new LinkedHashMap<>();
        service.put("ID", record.id());
        service.put("Name", config.service());
        service.put("Tags", config.tags());
        service.put("Address", record.host());
        service.put("Port", record.port());
        service.put("Meta", Map.of("version", record.version(), "url", record.url().toString(),
                "tls", Boolean.toString(record.tls())));
        service.put("Check", check);
        expect(http.send("PUT", uri("/v1/agent/service/register"), service, headers()), "registering");
    }

    @Override
    public void refresh() throws IOException, InterruptedException {
        Http.Answer answer = http.send("GET", uri("/v1/agent/service/" + record.id()), Http.NO_BODY, headers());
        if (answer.status() == 404) {
            throw new IOException("the agent no longer knows service " + record.id());
        }
        expect(answer, "looking up the service");
    }

    @Override
    public void deregister() throws IOException, InterruptedException {
        expect(http.send("PUT", uri("/v1/agent/service/deregister/" + record.id()), Http.NO_BODY, headers()),
                "deregistering");
    }

    @Override
    public Duration refreshEvery() {
        return config.checkInterval();
    }

    private URI uri(String path) {
        return config.address().resolve(path);
    }

    private Map<String, String> headers() {
        return config.token().map(t -> Map.of("X-Consul-Token", t)).orElse(Map.of());
    }

    private static void expect(Http.Answer answer, String what) throws IOException {
        if (answer.status() != 200) {
            throw new IOException(what + " answered " + answer.status() + ": " + answer.body());
        }
    }
}
