package io.hoard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class ConfigLoaderTest {

    private static RegistryConfig example(String name) throws IOException {
        try (InputStream in = ConfigLoaderTest.class.getResourceAsStream("/examples/" + name)) {
            return ConfigLoader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.of(), name);
        }
    }

    private static RegistryConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, Map.of(), "test.yml");
    }

    @Test
    void debianPackageConfigLoads() throws IOException {
        RegistryConfig c = example("debian-docker-registry.yml");
        assertThat(c.storage().driver()).isEqualTo("filesystem");
        assertThat(c.storage().parameters()).containsEntry("rootdirectory", "/var/lib/docker-registry");
        assertThat(c.storage().deleteEnabled()).isTrue();
        assertThat(c.http().port()).isEqualTo(5000);
        assertThat(c.http().headers()).containsEntry("X-Content-Type-Options", List.of("nosniff"));
        assertThat(c.auth()).hasValueSatisfying(a -> {
            assertThat(a.scheme()).isEqualTo("htpasswd");
            assertThat(a.parameters()).containsEntry("realm", "basic-realm");
            assertThat(a.htpasswd()).hasValueSatisfying(h -> {
                assertThat(h.realm()).isEqualTo("basic-realm");
                assertThat(h.anonymousPull()).isFalse();
            });
        });
        assertThat(c.health().storageDriverEnabled()).isTrue();
        assertThat(c.health().storageDriverInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.health().storageDriverThreshold()).isEqualTo(3);
        assertThat(c.proxy()).isEmpty();
        assertThat(c.log().fields()).containsEntry("service", "registry");
    }

    @Test
    void cacheOffMeansPlainRegistry() throws IOException {
        RegistryConfig c = example("cache-off.yml");
        assertThat(c.proxy()).isEmpty();
        assertThat(c.storage().parameters()).containsEntry("rootdirectory", "/var/lib/registry");
        assertThat(c.storage().deleteEnabled()).isFalse();
    }

    @Test
    void defaultDockerHubWithEmptyCredentialsIsAnonymous() throws IOException {
        ProxyConfig p = example("default-dockerhub.yml").proxy().orElseThrow();
        assertThat(p.remoteRegistries()).hasSize(1);
        RemoteRegistry hub = p.remoteRegistries().get(0);
        assertThat(hub.url()).isEqualTo(URI.create("https://registry-1.docker.io"));
        assertThat(hub.username()).isEmpty();
        assertThat(hub.password()).isEmpty();
        assertThat(p.dynamic()).isFalse();
        assertThat(p.ttl()).isEqualTo(Duration.ofHours(168));
    }

    @Test
    void remoteRegistriesWithAuthKeepOrderAndCredentials() throws IOException {
        ProxyConfig p = example("remoteregistries-with-auth.yml").proxy().orElseThrow();
        assertThat(p.remoteRegistries()).extracting(r -> r.url().toString())
                .containsExactly("https://registry-1.docker.io", "https://reg.test1.com", "http://reg.test2.com");
        assertThat(p.remoteRegistries().get(0).username()).isEmpty();
        assertThat(p.remoteRegistries().get(1).username()).hasValue("username");
        assertThat(p.remoteRegistries().get(1).password()).hasValue("password");
        assertThat(p.remoteRegistries().get(1).toString()).doesNotContain("password");
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy-on-dynamic.yml", "proxy-on-dynamic-2.yml"})
    void proxyOnWithoutRemotesIsDynamicOnly(String file) throws IOException {
        ProxyConfig p = example(file).proxy().orElseThrow();
        assertThat(p.dynamic()).isTrue();
        assertThat(p.remoteRegistries()).isEmpty();
    }

    @Test
    void distributionRemoteUrlFormFoldsIntoTheList() {
        ProxyConfig p = parse("""
                proxy:
                  remoteurl: https://registry-1.docker.io
                  username: me
                  password: secret
                  ttl: 1h30m
                """).proxy().orElseThrow();
        assertThat(p.remoteRegistries()).containsExactly(new RemoteRegistry(URI.create("https://registry-1.docker.io"),
                Optional.of("me"), Optional.of("secret")));
        assertThat(p.ttl()).isEqualTo(Duration.ofMinutes(90));
    }

    @Test
    void hoardProxyKeys() {
        ProxyConfig p = parse("""
                proxy:
                  remoteregistries:
                  - url: https://127.0.0.1:5443
                    ttl: 5m
                    insecure: true
                    cafile: /etc/ca.pem
                  connecttimeout: 2s
                  timeout: 3s
                  localnamespaces: [team, ci]
                """).proxy().orElseThrow();
        RemoteRegistry r = p.remoteRegistries().get(0);
        assertThat(r.ttl()).hasValue(Duration.ofMinutes(5));
        assertThat(r.insecure()).isTrue();
        assertThat(r.caFile()).hasValue("/etc/ca.pem");
        assertThat(r.hostKey()).isEqualTo("127.0.0.1:5443");
        assertThat(p.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(p.localNamespaces()).containsExactly("team", "ci");
        assertThatThrownBy(() -> parse("proxy:\n  timeout: 0s\n")).hasMessageContaining("proxy.timeout");
    }

    @Test
    void lifecycleKeys() {
        ProxyConfig p = parse("""
                proxy:
                  remoteurl: https://registry-1.docker.io
                  pins: [docker.io/library/alpine:3, team/app]
                  prewarm: [ghcr.io/org/base:latest]
                  eviction:
                    maxsize: 200GiB
                    minfreedisk: 10%
                    maxidle: 720h
                    interval: 5m
                """).proxy().orElseThrow();
        assertThat(p.pins()).containsExactly("docker.io/library/alpine:3", "team/app");
        assertThat(p.prewarm()).containsExactly("ghcr.io/org/base:latest");
        assertThat(p.eviction()).isEqualTo(new EvictionConfig(200L << 30, 0, 10, Duration.ofHours(720),
                Duration.ofMinutes(5)));
        assertThat(p.eviction().enabled()).isTrue();
        EvictionConfig bytes = parse("proxy:\n  eviction:\n    minfreedisk: 10GiB\n").proxy().orElseThrow().eviction();
        assertThat(bytes.minFreeBytes()).isEqualTo(10L << 30);
        assertThat(parse("proxy:\n  remoteurl: https://r.example\n").proxy().orElseThrow().eviction().enabled()).isFalse();
        assertThatThrownBy(() -> parse("proxy:\n  eviction:\n    minfreedisk: 150%\n"))
                .hasMessageContaining("proxy.eviction.minfreedisk");
        assertThatThrownBy(() -> parse("proxy:\n  eviction:\n    maxsize: lots\n"))
                .hasMessageContaining("proxy.eviction.maxsize");
        assertThatThrownBy(() -> parse("proxy:\n  eviction:\n    interval: 0s\n"))
                .hasMessageContaining("proxy.eviction.interval");
        assertThatThrownBy(() -> parse("proxy:\n  eviction:\n    maxsizes: 1\n")).hasMessageContaining("maxsizes");
    }

    @Test
    void adminUsersNeedAuth() {
        assertThat(parse("").admin().users()).isEmpty();
        assertThatThrownBy(() -> parse("admin:\n  users: [ops]\n")).hasMessageContaining("admin.users")
                .hasMessageContaining("loopback");
        RegistryConfig c = parse("auth:\n  htpasswd:\n    path: /etc/htpasswd\nadmin:\n  users: [ops, ci]\n");
        assertThat(c.admin().users()).containsExactly("ops", "ci");
    }

    @Test
    void emptyFileGivesDefaults() {
        RegistryConfig c = parse("");
        assertThat(c.http().addr()).isEqualTo(":5000");
        assertThat(c.storage().driver()).isEqualTo("filesystem");
        assertThat(c.storage().uploadPurging().enabled()).isTrue();
        assertThat(c.storage().uploadPurging().age()).isEqualTo(Duration.ofHours(168));
        assertThat(c.catalog().maxEntries()).isEqualTo(1000);
        assertThat(c.log().level()).isEqualTo("info");
    }

    @Test
    void unknownKeyFailsWithPathAndLine() {
        assertThatThrownBy(() -> parse("""
                version: 0.1
                storage:
                  filesystem:
                    rootdirectory: /x
                  delete:
                    enabeld: true
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("storage.delete.enabeld")
                .hasMessageContaining("line 6");
    }

    @Test
    void unknownTopLevelSectionFails() {
        assertThatThrownBy(() -> parse("proxx:\n  on: true\n")).hasMessageContaining("'proxx'").hasMessageContaining("line 1");
    }

    @Test
    void unknownDriverParameterFails() {
        assertThatThrownBy(() -> parse("storage:\n  filesystem:\n    rootdir: /x\n"))
                .hasMessageContaining("storage.filesystem.rootdir").hasMessageContaining("line 3");
    }

    @Test
    void illTypedValuesFailWithKey() {
        assertThatThrownBy(() -> parse("storage:\n  delete:\n    enabled: maybe\n"))
                .hasMessageContaining("storage.delete.enabled").hasMessageContaining("true or false");
        assertThatThrownBy(() -> parse("proxy:\n  ttl: forever\n")).hasMessageContaining("proxy.ttl");
        assertThatThrownBy(() -> parse("http:\n  addr: nowhere\n")).hasMessageContaining("http.addr");
        assertThatThrownBy(() -> parse("proxy:\n  remoteregistries:\n  - url: ftp://x\n"))
                .hasMessageContaining("proxy.remoteregistries[0].url");
        assertThatThrownBy(() -> parse("http:\n  headers: nope\n")).hasMessageContaining("http.headers");
    }

    @Test
    void twoDriversFail() {
        assertThatThrownBy(() -> parse("storage:\n  filesystem: {}\n  inmemory: {}\n"))
                .hasMessageContaining("exactly one");
    }

    @Test
    void foreignDriverFailsClearly() {
        assertThatThrownBy(() -> parse("storage:\n  azure:\n    accountname: x\n")).hasMessageContaining("azure");
    }

    @Test
    void s3SectionIsValidated() {
        RegistryConfig c = parse("""
                http:
                  secret: shared
                storage:
                  s3:
                    region: us-east-1
                    bucket: b
                    regionendpoint: http://127.0.0.1:9000
                    forcepathstyle: true
                    chunksize: 5242880
                """);
        assertThat(c.storage().driver()).isEqualTo("s3");
        assertThat(c.storage().parameters()).containsEntry("forcepathstyle", true).containsEntry("chunksize", 5242880L);
        assertThatThrownBy(() -> parse("storage:\n  s3:\n    region: x\n")).hasMessageContaining("storage.s3.bucket");
    }

    @Test
    void environmentOverridesKeys() {
        RegistryConfig c = ConfigLoader.parse("storage:\n  filesystem:\n    rootdirectory: /a\n", Map.of(
                "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", "/b",
                "REGISTRY_HTTP_ADDR", "127.0.0.1:6000",
                "REGISTRY_STORAGE_DELETE_ENABLED", "true",
                "REGISTRY_PROXY_REMOTEURL", "http://127.0.0.1:5001",
                "REGISTRY_CONFIGURATION_PATH", "/etc/x.yml",
                "PATH", "/bin"), "t");
        assertThat(c.storage().parameters()).containsEntry("rootdirectory", "/b");
        assertThat(c.http().bindHost()).isEqualTo("127.0.0.1");
        assertThat(c.http().port()).isEqualTo(6000);
        assertThat(c.storage().deleteEnabled()).isTrue();
        assertThat(c.proxy().orElseThrow().remoteRegistries().get(0).url()).isEqualTo(URI.create("http://127.0.0.1:5001"));
    }

    @Test
    void environmentSwitchesDriver() {
        RegistryConfig c = ConfigLoader.parse("storage:\n  filesystem:\n    rootdirectory: /a\n", Map.of(
                "REGISTRY_STORAGE", "inmemory"), "t");
        assertThat(c.storage().driver()).isEqualTo("inmemory");
    }

    @Test
    void environmentConfiguresS3AndRedisAsDistributionDoes() {
        RegistryConfig c = ConfigLoader.parse("storage:\n  filesystem:\n    rootdirectory: /a\n", Map.of(
                "REGISTRY_STORAGE", "s3",
                "REGISTRY_STORAGE_S3_REGION", "us-east-1",
                "REGISTRY_STORAGE_S3_BUCKET", "registry",
                "REGISTRY_STORAGE_S3_REGIONENDPOINT", "http://minio:9000",
                "REGISTRY_STORAGE_S3_SECURE", "false",
                "REGISTRY_STORAGE_S3_CHUNKSIZE", "5242880",
                "REGISTRY_HTTP_SECRET", "shared",
                "REGISTRY_REDIS_ADDR", "redis:6379"), "t");
        assertThat(c.storage().driver()).isEqualTo("s3");
        assertThat(c.storage().parameters()).containsEntry("bucket", "registry").containsEntry("secure", false)
                .containsEntry("chunksize", 5242880L).containsEntry("regionendpoint", "http://minio:9000");
        assertThat(c.redis().orElseThrow().addr()).isEqualTo("redis:6379");
    }

    @Test
    void misspelledEnvironmentVariableFailsNamingIt() {
        assertThatThrownBy(() -> ConfigLoader.parse("", Map.of("REGISTRY_HTTP_ADRR", ":1"), "t"))
                .hasMessageContaining("REGISTRY_HTTP_ADRR").hasMessageContaining("http.adrr");
    }

    @Test
    void invalidYamlNamesLine() {
        assertThatThrownBy(() -> parse("http:\n  addr: [\n")).hasMessageContaining("invalid YAML");
    }

    @Test
    void httpPrefixIsRefusedRatherThanIgnored() {
        assertThatThrownBy(() -> parse("http:\n  prefix: /registry\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.prefix");
        assertThat(parse("http:\n  prefix: /\n").http().prefix()).isEqualTo("/");
    }

    @Test
    void duplicateKeysFail() {
        assertThatThrownBy(() -> parse("http:\n  addr: :1\n  addr: :2\n")).isInstanceOf(ConfigException.class);
    }

    @Test
    void distributionOnlySectionsAreAcceptedAndReported() {
        RegistryConfig c = parse("notifications:\n  endpoints: []\n"
                + "http:\n  debug:\n    addr: :5001\nstorage:\n  inmemory: {}\n  redirect:\n    disable: true\n"
                + "  cache:\n    blobdescriptor: inmemory\nhealth:\n  storagedriver:\n    enabled: true\n"
                + "log:\n  reportcaller: true\n");
        assertThat(c.ignoredKeys()).containsOnlyKeys("notifications", "log.reportcaller");
        assertThat(c.http().debug().orElseThrow().port()).isEqualTo(5001);
        assertThat(c.health().storageDriverEnabled()).isTrue();
        assertThat(c.ignoredKeys().values()).allSatisfy(instead -> assertThat(instead).isNotBlank());
        assertThat(parse("storage:\n  inmemory: {}\n").ignoredKeys()).isEmpty();
        assertThatThrownBy(() -> parse("storage:\n  inmemory: {}\n  cache:\n    blobdescriptor: redis\n"))
                .hasMessageContaining("storage.cache.blobdescriptor").hasMessageContaining("no redis section");
    }

    @Test
    void registrationIsRead() {
        RegistrationConfig r = parse("""
                registration:
                  advertise: http://registry.internal:5000
                  etcd:
                    endpoints: [http://127.0.0.1:2379, http://10.0.0.2:2379]
                    ttl: 15s
                  consul:
                    address: http://127.0.0.1:8500
                    tags: [cache]
                """).registration();
        assertThat(r.advertise()).hasValue(java.net.URI.create("http://registry.internal:5000"));
        assertThat(r.etcd().orElseThrow().prefix()).isEqualTo("/services/docker_registry/");
        assertThat(r.etcd().orElseThrow().endpoints()).hasSize(2);
        assertThat(r.etcd().orElseThrow().ttl()).isEqualTo(Duration.ofSeconds(15));
        assertThat(r.consul().orElseThrow().service()).isEqualTo("docker_registry");
        assertThat(r.consul().orElseThrow().checkInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(parse("").registration().enabled()).isFalse();
        assertThatThrownBy(() -> parse("registration:\n  etcd:\n    ttl: 5s\n")).hasMessageContaining("registration.etcd.endpoints");
        assertThatThrownBy(() -> parse("registration:\n  etcd:\n    endpoints: [x]\n")).hasMessageContaining("http");
        assertThatThrownBy(() -> parse("registration:\n  etcd:\n    endpoints: [http://e:1]\n    ttl: 1s\n"))
                .hasMessageContaining("at least 2s");
        assertThatThrownBy(() -> parse("registration:\n  zookeeper: {}\n")).hasMessageContaining("zookeeper");
    }

    @Test
    void healthChecksAreRead() {
        HealthConfig h = parse("""
                health:
                  storagedriver: {enabled: true, interval: 5s, threshold: 3}
                  file:
                  - file: /etc/hoard/maintenance
                    interval: 2s
                  http:
                  - uri: http://upstream.internal:5000/v2/
                    headers: {Authorization: [Basic abc]}
                    statuscode: 401
                    timeout: 3s
                  tcp:
                  - addr: redis.internal:6379
                    threshold: 2
                """).health();
        assertThat(h.storageDriverInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(h.storageDriverThreshold()).isEqualTo(3);
        assertThat(h.files()).containsExactly(new HealthConfig.FileCheck("/etc/hoard/maintenance", Duration.ofSeconds(2)));
        assertThat(h.https().get(0).statusCode()).isEqualTo(401);
        assertThat(h.https().get(0).headers()).containsEntry("Authorization", List.of("Basic abc"));
        assertThat(h.tcps().get(0).threshold()).isEqualTo(2);
        assertThatThrownBy(() -> parse("health:\n  tcp:\n  - addr: nohost\n")).hasMessageContaining("health.tcp");
        assertThatThrownBy(() -> parse("health:\n  http:\n  - uri: ftp://x\n")).hasMessageContaining("health.http");
        assertThatThrownBy(() -> parse("health:\n  file:\n  - interval: 1s\n")).hasMessageContaining("file");
    }

    @Test
    void redisSectionIsReadAndNeedsASharedSecret() {
        RegistryConfig c = parse("""
                http:
                  secret: shared
                storage:
                  inmemory: {}
                  cache:
                    blobdescriptor: redis
                redis:
                  addr: 127.0.0.1:6379
                  password: pw
                  db: 2
                  dialtimeout: 2s
                  readtimeout: 100ms
                  pool:
                    maxidle: 16
                """);
        RedisConfig redis = c.redis().orElseThrow();
        assertThat(redis.addr()).isEqualTo("127.0.0.1:6379");
        assertThat(redis.password()).isEqualTo("pw");
        assertThat(redis.db()).isEqualTo(2);
        assertThat(redis.dialTimeout()).isEqualTo(java.time.Duration.ofSeconds(2));
        assertThat(redis.readTimeout()).isEqualTo(java.time.Duration.ofMillis(100));
        assertThat(c.storage().blobDescriptorCache()).isEqualTo("redis");
        assertThatThrownBy(() -> parse("redis:\n  addr: 127.0.0.1:6379\nstorage:\n  inmemory: {}\n"))
                .hasMessageContaining("http.secret");
        assertThatThrownBy(() -> parse("http:\n  secret: s\nredis:\n  password: x\nstorage:\n  inmemory: {}\n"))
                .hasMessageContaining("redis.addr");
        assertThatThrownBy(() -> parse("storage:\n  inmemory: {}\n  cache:\n    blobdescriptor: memcached\n"))
                .hasMessageContaining("inmemory or redis");
    }

    @Test
    void blobDescriptorCacheIsSized() {
        assertThat(parse("storage:\n  inmemory: {}\n").storage().blobDescriptorCacheSize()).isEqualTo(10_000);
        assertThat(parse("storage:\n  inmemory: {}\n  cache:\n    blobdescriptorsize: 0\n").storage()
                .blobDescriptorCacheSize()).isZero();
        assertThatThrownBy(() -> parse("storage:\n  inmemory: {}\n  cache:\n    blobdescriptorsize: -1\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("blobdescriptorsize");
    }

    @Test
    void loadsFromFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("config.yml");
        Files.writeString(file, "http:\n  addr: :5123\n");
        assertThat(ConfigLoader.load(file, Map.of()).http().port()).isEqualTo(5123);
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yml"), Map.of()))
                .hasMessageContaining("does not exist");
    }

    @Test
    void durationsFollowGoSyntax() {
        assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("2h45m30s")).isEqualTo(Duration.ofSeconds(2 * 3600 + 45 * 60 + 30));
        assertThatThrownBy(() -> Durations.parse("10 s")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Durations.parse("h")).isInstanceOf(IllegalArgumentException.class);
    }
}
