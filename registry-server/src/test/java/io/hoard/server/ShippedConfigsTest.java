package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hoard.config.ConfigException;
import io.hoard.config.ConfigLoader;
import io.hoard.config.RegistryConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configurations we ship (embedded default, docker/config.yml) start a working registry. */
final class ShippedConfigsTest {

    @Test
    void embeddedDefaultStoresUnderDataOnPort5000AndMirrorsDockerHub() {
        RegistryConfig c = Main.loadConfig(null, Map.of());
        assertThat(c.http().port()).isEqualTo(5000);
        assertThat(c.storage().driver()).isEqualTo("filesystem");
        assertThat(c.storage().parameters()).containsEntry("rootdirectory", "./data");
        assertThat(c.proxy()).hasValueSatisfying(p -> assertThat(p.remoteRegistries().get(0).url())
                .hasToString("https://registry-1.docker.io"));
    }

    @Test
    void embeddedDefaultStartsWithoutReachingDockerHub(@TempDir Path root) throws Exception {
        RegistryConfig c = Main.loadConfig(null, Map.of("REGISTRY_HTTP_ADDR", "127.0.0.1:0",
                "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", root.toString()));
        try (RegistryApp app = RegistryApp.start(c)) {
            HttpResponse<String> r = getBase(app);
            assertThat(r.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void configurationPathEnvironmentVariableIsHonoured() {
        RegistryConfig c = Main.loadConfig(null, Map.of("REGISTRY_CONFIGURATION_PATH", "../docker/config.yml"));
        assertThat(c.storage().parameters()).containsEntry("rootdirectory", "/var/lib/registry");
    }

    @Test
    void dockerImageConfigServes(@TempDir Path root) throws Exception {
        RegistryConfig c = ConfigLoader.load(Path.of("../docker/config.yml"), Map.of(
                "REGISTRY_HTTP_ADDR", "127.0.0.1:0",
                "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", root.toString()));
        try (RegistryApp app = RegistryApp.start(c)) {
            HttpResponse<String> r = getBase(app);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        }
    }

    @Test
    void unusableFeaturesRefuseToStartWithOneLine() {
        RegistryConfig auth = ConfigLoader.parse("http:\n  addr: 127.0.0.1:0\nstorage:\n  inmemory: {}\n"
                + "auth:\n  htpasswd:\n    realm: r\n    path: /x\n", Map.of(), "t");
        assertThatThrownBy(() -> RegistryApp.start(auth)).isInstanceOf(ConfigException.class).hasMessageContaining("auth");
        RegistryConfig s3 = ConfigLoader.parse("http:\n  addr: 127.0.0.1:0\n  secret: s\nstorage:\n  s3:\n    region: r\n"
                + "    bucket: b\n    accesskey: a\n    secretkey: s\n    regionendpoint: http://127.0.0.1:1\n", Map.of(), "t");
        assertThatThrownBy(() -> RegistryApp.start(s3)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("storage.s3.regionendpoint").hasMessageNotContaining("\n");
    }

    private static HttpResponse<String> getBase(RegistryApp app) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.address().getPort() + "/v2/")).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
