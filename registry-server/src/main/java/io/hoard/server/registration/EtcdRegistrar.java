package io.hoard.server.registration;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoard.config.RegistrationConfig;
import io.hoard.model.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * etcd v3 through its JSON gateway ({@code /v3/lease/grant}, {@code /v3/kv/put},
 * {@code /v3/lease/keepalive}, {@code /v3/lease/revoke}) over the JDK's HTTP client: the key
 * {@code prefix + id} holds {@code {"url","version","tls"}} and is bound to a lease of {@code ttl},
 * kept alive every third of it, so it is gone within the TTL after Hoard stops or dies. The gateway
 * rather than jetcd: four small JSON calls do not warrant gRPC and its dependencies.
 */
final class EtcdRegistrar implements Registrar {
    private final RegistrationConfig.Etcd config;
    private final ServiceRecord record;
    private final Http http = new Http();
    private volatile @Nullable String lease;
    private volatile int endpoint;

    EtcdRegistrar(RegistrationConfig.Etcd config, ServiceRecord record) {
        this.config = config;
        this.record = record;
    }

    /** The key this instance is registered under. */
    String key() {
        return config.prefix() + record.id();
    }

    @Override
    public String describe() {
        return "etcd " + config.endpoints().get(endpoint);
    }

    @Override
    public void register() throws IOException, InterruptedException {
        JsonNode granted = call("/v3/lease/grant", Map.of("TTL", Math.max(2, config.ttl().toSeconds())));
        String id = granted.path("ID").asText("");
        if (id.isEmpty()) {
            throw new IOException("etcd granted no lease: " + granted);
        }
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("url", record.url().toString());
        value.put("version", record.version());
        value.put("tls", record.tls());
        Map<String, Object> put = new LinkedHashMap<>();
        put.put("key", base64(key()));
        put.put("value", Base64.getEncoder().encodeToString(Json.MAPPER.writeValueAsBytes(value)));
        put.put("lease", id);
        call("/v3/kv/put", put);
        lease = id;
    }

    @Override
    public void refresh() throws IOException, InterruptedException {
        String id = lease;
        if (id == null) {
            throw new IOException("not registered");
        }
        JsonNode kept = call("/v3/lease/keepalive", Map.of("ID", id));
        if (kept.path("result").path("TTL").asLong(0) <= 0) {
            lease = null;
            throw new IOException("etcd lease " + id + " has expired");
        }
    }

    @Override
    public void deregister() throws IOException, InterruptedException {
        String id = lease;
        if (id != null) {
            lease = null;
            call("/v3/lease/revoke", Map.of("ID", id)); // the key goes with its lease
        }
    }

    @Override
    public Duration refreshEvery() {
        return config.ttl().dividedBy(3);
    }

    /** POSTs to the first endpoint that answers, starting with the last that did. */
    private JsonNode call(String path, Object body) throws IOException, InterruptedException {
        List<URI> endpoints = config.endpoints();
        IOException last = null;
        for (int i = 0; i < endpoints.size(); i++) {
            int e = (endpoint + i) % endpoints.size();
            try {
                Http.Answer answer = http.send("POST", endpoints.get(e).resolve(path), body, Map.of());
                if (answer.status() != 200) {
                    throw new IOException(path + " answered " + answer.status() + ": " + answer.body());
                }
                endpoint = e;
                return answer.body();
            } catch (IOException failure) {
                last = failure;
            }
        }
        throw last != null ? last : new IOException("no etcd endpoint");
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
