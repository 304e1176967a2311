package io.hoard.config;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.DumperOptions;

/**
 * Reads config.yml into {@link RegistryConfig}: YAML, then environment overrides
 * ({@code REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=/x} sets {@code storage.filesystem.rootdirectory};
 * {@code REGISTRY_STORAGE=s3} switches the driver, as in distribution), then strict binding with
 * every default in this class.
 */
public final class ConfigLoader {
    public static final String ENV_PREFIX = "REGISTRY_";
    /** Names the config file, as in distribution; not a key. */
    public static final String CONFIGURATION_PATH_ENV = "REGISTRY_CONFIGURATION_PATH";

    static final Set<String> DRIVERS = Set.of("filesystem", "inmemory", "s3");
    private static final Set<String> FOREIGN_DRIVERS = Set.of("azure", "gcs", "swift", "oss");
    private static final List<String> STORAGE_OPTIONS = List.of("cache", "delete", "redirect", "maintenance", "tag");
    /**
     * distribution keys that are accepted so existing files keep working, but not acted on, with what
     * Hoard does instead: the server names each one present in one warning at start.
     */
    private static final Map<String, String> IGNORED_KEYS = orderedMap(
            "notifications", "no webhook notifications are sent",
            "reporting", "no error-reporting service is called",
            "middleware", "no middleware; blobs are always served by Hoard itself",
            "validation", "manifests are checked by Hoard's own rules",
            "compatibility", "Docker schema 1 manifests are refused",
            "http.http2", "clients are served HTTP/1.1",
            "http.h2c", "clients are served HTTP/1.1",
            "http.tls.ciphersuites", "the JDK's cipher suites for TLS 1.2 and 1.3 are used",
            "storage.tag", "tag lookups are not limited",
            "log.hooks", "no log hooks are called",
            "log.reportcaller", "log lines do not name the calling code");

    private ConfigLoader() {
    }

    /** Loads {@code file} with overrides from {@code env}. */
    public static RegistryConfig load(Path file, Map<String, String> env) {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
        }
        return parse(yaml, env, file.toString());
    }

    /** Loads YAML text with overrides from {@code env}; {@code source} names it in messages. */
    public static RegistryConfig parse(String yaml, Map<String, String> env, String source) {
        Map<Node, String> origins = new IdentityHashMap<>();
        MappingNode root = compose(yaml, source);
        applyEnvironment(root, env, origins);
        try {
            return bind(new Section("", root, origins));
        } catch (ConfigException e) {
            throw new ConfigException(source + ": " + e.getMessage());
        }
    }

    private static MappingNode compose(String yaml, String source) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try {
            Node node = new Yaml(options).compose(new StringReader(yaml));
            if (node == null) {
                return new MappingNode(Tag.MAP, new ArrayList<>(), DumperOptions.FlowStyle.BLOCK);
            }
            if (!(node instanceof MappingNode m)) {
                throw new ConfigException(source + ": the configuration must be a YAML mapping of sections");
            }
            return m;
        } catch (MarkedYAMLException e) {
            throw new ConfigException(source + ": invalid YAML at line " + (e.getProblemMark().getLine() + 1) + ": "
                    + e.getProblem());
        } catch (YAMLException e) {
            throw new ConfigException(source + ": invalid YAML: " + e.getMessage());
        }
    }

    // ---- environment overrides ----

    private static void applyEnvironment(MappingNode root, Map<String, String> env, Map<Node, String> origins) {
        List<String> names = env.keySet().stream()
                .filter(n -> n.startsWith(ENV_PREFIX) && n.length() > ENV_PREFIX.length())
                .filter(n -> !n.equals(CONFIGURATION_PATH_ENV))
                .sorted(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()))
                .toList();
        for (String name : names) {
            List<String> path = List.of(name.substring(ENV_PREFIX.length()).toLowerCase().split("_"));
            Node value = envValue(java.util.Objects.requireNonNull(env.get(name)), name);
            origins.put(value, name);
            if (path.equals(List.of("storage")) && value instanceof ScalarNode s) {
                switchDriver(root, s.getValue(), name, origins);
            } else {
                set(root, path, value, name, origins);
            }
        }
    }

    private static Node envValue(String text, String name) {
        try {
            Node n = new Yaml().compose(new StringReader(text));
            return n != null ? n : new ScalarNode(Tag.NULL, "", null, null, DumperOptions.ScalarStyle.PLAIN);
        } catch (YAMLException e) {
            return new ScalarNode(Tag.STR, text, null, null, DumperOptions.ScalarStyle.PLAIN);
        }
    }

    /** {@code REGISTRY_STORAGE=s3}: the named driver replaces whichever the file configured. */
    private static void switchDriver(MappingNode root, String driver, String name, Map<Node, String> origins) {
        MappingNode storage = child(root, "storage", name, origins);
        storage.getValue().removeIf(t -> t.getKeyNode() instanceof ScalarNode k
                && (DRIVERS.contains(k.getValue()) || FOREIGN_DRIVERS.contains(k.getValue())) && !k.getValue().equals(driver));
        child(storage, driver, name, origins);
    }

    private static void set(MappingNode root, List<String> path, Node value, String name, Map<Node, String> origins) {
        MappingNode at = root;
        for (String key : path.subList(0, path.size() - 1)) {
            at = child(at, key, name, origins);
        }
        String last = path.get(path.size() - 1);
        at.getValue().removeIf(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(last));
        at.getValue().add(new NodeTuple(keyNode(last, name, origins), value));
    }

    private static MappingNode child(MappingNode parent, String key, String name, Map<Node, String> origins) {
        for (NodeTuple t : parent.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                if (t.getValueNode() instanceof MappingNode m) {
                    return m;
                }
                MappingNode replacement = new MappingNode(Tag.MAP, new ArrayList<>(), DumperOptions.FlowStyle.BLOCK);
                parent.getValue().remove(t);
                parent.getValue().add(new NodeTuple(t.getKeyNode(), replacement));
                return replacement;
            }
        }
        MappingNode created = new MappingNode(Tag.MAP, new ArrayList<>(), DumperOptions.FlowStyle.BLOCK);
        parent.getValue().add(new NodeTuple(keyNode(key, name, origins), created));
        return created;
    }

    private static ScalarNode keyNode(String key, String name, Map<Node, String> origins) {
        ScalarNode k = new ScalarNode(Tag.STR, key, null, null, DumperOptions.ScalarStyle.PLAIN);
        origins.put(k, name);
        return k;
    }

    // ---- binding, with every default ----

    private static RegistryConfig bind(Section root) {
        String version = root.string("version", "0.1");
        if (!version.equals("0.1")) {
            throw root.error("version", null, "must be 0.1, not '" + version + "'");
        }
        LogConfig log = log(root);
        StorageConfig storage = storage(root.section("storage"));
        HttpConfig http = http(root.section("http"));
        Optional<AuthConfig> auth = auth(root.section("auth"));
        HealthConfig health = health(root.section("health"));
        Optional<ProxyConfig> proxy = proxy(root.section("proxy"));
        Section catalogSection = root.section("catalog");
        CatalogConfig catalog = new CatalogConfig(catalogSection.integer("maxentries", 1000));
        catalogSection.finish();
        Map<String, String> ignored = new LinkedHashMap<>();
        IGNORED_KEYS.forEach((key, instead) -> {
            if (present(root, key)) {
                ignored.put(key, instead);
            }
        });
        Optional<RedisConfig> redis = redis(root);
        if (storage.blobDescriptorCache().equals("redis") && redis.isEmpty()) {
            throw root.section("storage").section("cache").error("blobdescriptor", null,
                    "is redis, but there is no redis section to say which Redis");
        }
        if (http.secret().isEmpty() && (redis.isPresent() || storage.driver().equals("s3"))) {
            throw root.section("http").error("secret", null, "is required with " + (redis.isPresent() ? "a redis section"
                    : "s3 storage") + ": several instances share the storage, and the tokens and peer requests one"
                    + " instance signs must verify on every other; set it to the same random string on all of them");
        }
        ClusterConfig cluster = cluster(root.section("cluster"));
        AdminConfig admin = admin(root.section("admin"), auth);
        RegistrationConfig registration = registration(root.section("registration"));
        root.finish();
        return new RegistryConfig(version, log, storage, http, auth, health, proxy, catalog, redis, cluster, admin,
                registration, java.util.Collections.unmodifiableMap(ignored));
    }

    /** True when the dotted {@code key} is given (its section may have been bound already: looking is harmless). */
    private static boolean present(Section root, String key) {
        String[] parts = key.split("\\.");
        Section s = root;
        for (int i = 0; i < parts.length - 1; i++) {
            if (!s.has(parts[i])) {
                return false;
            }
            s = s.section(parts[i]);
        }
        return s.has(parts[parts.length - 1]);
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    private static RegistrationConfig registration(Section s) {
        if (!s.isPresent()) {
            return RegistrationConfig.NONE;
        }
        Optional<URI> advertise = s.string("advertise").map(a -> url(s, "advertise", a));
        Optional<RegistrationConfig.Etcd> etcd = Optional.empty();
        Section e = s.section("etcd");
        if (e.isPresent()) {
            List<URI> endpoints = new ArrayList<>();
            for (String endpoint : e.strings("endpoints")) {
                endpoints.add(url(e, "endpoints", endpoint));
            }
            if (endpoints.isEmpty()) {
                throw e.error("endpoints", null, "is required: etcd's client URLs, e.g. [http://127.0.0.1:2379]");
            }
            Duration ttl = positive(e, "ttl", Duration.ofSeconds(10));
            if (ttl.toSeconds() < 2) {
                throw e.error("ttl", null, "must be at least 2s (etcd leases count in seconds)");
            }
            etcd = Optional.of(new RegistrationConfig.Etcd(List.copyOf(endpoints),
                    e.string("prefix", "/services/docker_registry/"), ttl));
        }
        e.finish();
        Optional<RegistrationConfig.Consul> consul = Optional.empty();
        Section c = s.section("consul");
        if (c.isPresent()) {
            consul = Optional.of(new RegistrationConfig.Consul(url(c, "address", c.string("address",
                    "http://127.0.0.1:8500")), c.string("service", "docker_registry"), List.copyOf(c.strings("tags")),
                    positive(c, "checkinterval", Duration.ofSeconds(10)), c.string("token")));
        }
        c.finish();
        s.finish();
        return new RegistrationConfig(advertise, etcd, consul);
    }

    private static AdminConfig admin(Section s, Optional<AuthConfig> auth) {
        List<String> users = s.strings("users");
        s.finish();
        if (!users.isEmpty() && auth.isEmpty()) {
            throw s.error("users", null, "names htpasswd users, but there is no auth section: without auth the admin API "
                    + "is open to loopback connections only; configure auth.htpasswd or remove admin.users");
        }
        return users.isEmpty() ? AdminConfig.DEFAULT : new AdminConfig(List.copyOf(users));
    }

    private static EvictionConfig eviction(Section s) {
        if (!s.isPresent()) {
            return EvictionConfig.NONE;
        }
        long maxSize = s.bytes("maxsize", 0);
        long minFreeBytes = 0;
        int minFreePercent = 0;
        Optional<String> minFree = s.string("minfreedisk");
        if (minFree.isPresent() && minFree.get().trim().endsWith("%")) {
            String n = minFree.get().trim();
            try {
                minFreePercent = Integer.parseInt(n.substring(0, n.length() - 1).trim());
            } catch (NumberFormatException e) {
                minFreePercent = -1;
            }
            if (minFreePercent < 0 || minFreePercent >= 100) {
                throw s.error("minfreedisk", null, "must be a percentage from 0% to 99% or a size in bytes, not '" + n + "'");
            }
        } else {
            minFreeBytes = s.bytes("minfreedisk", 0);
        }
        Duration maxIdle = s.duration("maxidle", Duration.ZERO);
        Duration interval = s.duration("interval", Duration.ofMinutes(10));
        if (interval.isZero() || interval.isNegative()) {
            throw s.error("interval", null, "must be more than 0");
        }
        s.finish();
        return new EvictionConfig(maxSize, minFreeBytes, minFreePercent, maxIdle, interval);
    }

    private static ClusterConfig cluster(Section s) {
        Optional<String> advertise = s.string("advertise");
        s.finish();
        if (advertise.isEmpty()) {
            return ClusterConfig.DEFAULT;
        }
        try {
            java.net.URI uri = java.net.URI.create(advertise.get());
            if (uri.getHost() == null || !List.of("http", "https").contains(uri.getScheme())
                    || !(uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/"))) {
                throw new IllegalArgumentException();
            }
            return new ClusterConfig(Optional.of(uri));
        } catch (IllegalArgumentException e) {
            throw s.error("advertise", null, "must be a URL such as http://10.0.0.5:5000, not '" + advertise.get() + "'");
        }
    }

    private static Optional<RedisConfig> redis(Section root) {
        if (!root.has("redis")) {
            return Optional.empty();
        }
        Section s = root.section("redis");
        String addr = s.string("addr", "");
        if (addr.isBlank()) {
            throw s.error("addr", null, "is required: the host:port of the Redis the instances share");
        }
        checkAddr(s, "addr", addr);
        int db = s.integer("db", 0);
        if (db < 0) {
            throw s.error("db", null, "must be 0 or more, not " + db);
        }
        Section tls = s.section("tls");
        boolean tlsEnabled = tls.bool("enabled", false);
        tls.finish();
        RedisConfig redis = new RedisConfig(addr, s.string("username"), s.string("password", ""), db,
                s.duration("dialtimeout", Duration.ofSeconds(5)), s.duration("readtimeout", Duration.ofSeconds(5)),
                s.duration("writetimeout", Duration.ofSeconds(5)), tlsEnabled);
        s.section("pool").accept("maxidle", "maxactive", "idletimeout");
        s.finish();
        return Optional.of(redis);
    }

    private static LogConfig log(Section root) {
        Section s = root.section("log");
        String level = s.string("level", root.string("loglevel", "info")).toLowerCase();
        if (!List.of("error", "warn", "info", "debug", "trace").contains(level)) {
            throw s.error("level", null, "must be one of error, warn, info, debug, not '" + level + "'");
        }
        String formatter = s.string("formatter", "text");
        if (!List.of("text", "json", "logstash").contains(formatter)) {
            throw s.error("formatter", null, "must be text, json or logstash, not '" + formatter + "'");
        }
        Map<String, String> fields = s.stringMap("fields");
        Section access = s.section("accesslog");
        boolean accessLogDisabled = access.bool("disabled", false);
        access.finish();
        s.accept("hooks", "reportcaller");
        s.finish();
        return new LogConfig(level, formatter, fields, accessLogDisabled);
    }

    private static StorageConfig storage(Section s) {
        List<String> drivers = s.keys().stream().filter(k -> !STORAGE_OPTIONS.contains(k)).toList();
        for (String d : drivers) {
            if (FOREIGN_DRIVERS.contains(d)) {
                throw s.error(d, null, "names distribution's '" + d + "' driver, which Hoard does not have; use one of "
                        + DRIVERS);
            }
        }
        String driver = "filesystem";
        Map<String, Object> parameters = Map.of("rootdirectory", "/var/lib/registry");
        if (drivers.size() > 1) {
            throw s.error(drivers.get(1), null, "is a second storage driver; configure exactly one of " + DRIVERS);
        }
        if (drivers.size() == 1) {
            driver = drivers.get(0);
            if (!DRIVERS.contains(driver)) {
                s.finish(); // reports the unknown key with its line
            }
            parameters = DriverParameters.validate(driver, s.section(driver));
        }
        Section cache = s.section("cache");
        String blobDescriptor = cache.string("blobdescriptor", "inmemory");
        if (!List.of("inmemory", "redis").contains(blobDescriptor)) {
            throw cache.error("blobdescriptor", null, "must be inmemory or redis, not '" + blobDescriptor + "'");
        }
        int blobDescriptorSize = cache.integer("blobdescriptorsize", 10_000);
        if (blobDescriptorSize < 0) {
            throw cache.error("blobdescriptorsize", null, "must be 0 or more, not " + blobDescriptorSize);
        }
        cache.finish();
        Section delete = s.section("delete");
        boolean deleteEnabled = delete.bool("enabled", false);
        delete.finish();
        Section redirect = s.section("redirect");
        boolean redirectDisabled = redirect.bool("disable", false);
        redirect.finish();
        Section maintenance = s.section("maintenance");
        Section purging = maintenance.section("uploadpurging");
        StorageConfig.UploadPurging uploadPurging = new StorageConfig.UploadPurging(
                purging.bool("enabled", true), purging.duration("age", Duration.ofHours(168)),
                purging.duration("interval", Duration.ofHours(24)), purging.bool("dryrun", false));
        purging.finish();
        Section readOnly = maintenance.section("readonly");
        boolean ro = readOnly.bool("enabled", false);
        readOnly.finish();
        maintenance.finish();
        s.section("tag").accept("concurrencylimit");
        s.finish();
        return new StorageConfig(driver, parameters, deleteEnabled, redirectDisabled, blobDescriptor, blobDescriptorSize,
                uploadPurging, ro);
    }

    private static HttpConfig http(Section s) {
        String addr = s.string("addr", ":5000");
        String net = s.string("net", "tcp");
        if (!net.equals("tcp")) {
            throw s.error("net", null, "must be tcp (unix sockets are not supported), not '" + net + "'");
        }
        checkAddr(s, "addr", addr);
        String host = s.string("host", "");
        String prefix = s.string("prefix", "");
        if (!prefix.isEmpty() && !prefix.equals("/")) {
            // Serving under a prefix changes every URL (Location headers, token realms): half of it would be worse.
            throw s.error("prefix", null, "is not supported by Hoard; serve it at / and map a prefix in a reverse proxy");
        }
        String secret = s.string("secret", "");
        boolean relativeUrls = s.bool("relativeurls", false);
        Duration drain = s.duration("draintimeout", Duration.ofSeconds(10));
        Duration headTimeout = s.duration("headtimeout", Duration.ofSeconds(20));
        int maxConnections = s.integer("maxconnections", 4096);
        if (headTimeout.isZero() || maxConnections < 1) {
            throw s.error(headTimeout.isZero() ? "headtimeout" : "maxconnections", null, "must be more than 0");
        }
        Map<String, List<String>> headers = s.stringLists("headers");
        Optional<HttpConfig.TlsConfig> tls = tls(s.section("tls"));
        Optional<HttpConfig.DebugConfig> debug = debug(s.section("debug"));
        s.section("http2").accept("disabled");
        s.section("h2c").accept("enabled");
        s.finish();
        return new HttpConfig(addr, net, host, prefix, secret, relativeUrls, drain, headers, tls, debug, headTimeout,
                maxConnections);
    }

    private static void checkAddr(Section s, String key, String addr) {
        int colon = addr.lastIndexOf(':');
        try {
            int port = Integer.parseInt(addr.substring(colon + 1));
            if (colon < 0 || port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw s.error(key, null, "must be host:port or :port, not '" + addr + "'");
        }
    }

    private static Optional<HttpConfig.TlsConfig> tls(Section s) {
        if (!s.isPresent()) {
            return Optional.empty();
        }
        String certificate = s.string("certificate", "");
        String key = s.string("key", "");
        List<String> clientCas = s.strings("clientcas");
        String minimum = s.string("minimumtls", "tls1.2");
        if (!List.of("tls1.2", "tls1.3").contains(minimum)) {
            throw s.error("minimumtls", null, "must be tls1.2 or tls1.3, not '" + minimum + "'");
        }
        boolean selfSigned = s.bool("selfsigned", false);
        List<String> hosts = s.strings("hosts");
        String selfSignedDir = s.string("selfsigneddir", "");
        s.accept("ciphersuites");
        if (s.has("letsencrypt")) {
            throw s.error("letsencrypt", null, "is not supported by Hoard; use certificate and key (renewed by your ACME "
                    + "client) or selfsigned: true");
        }
        s.finish();
        if (selfSigned && !certificate.isEmpty()) {
            throw s.error("selfsigned", null, "and http.tls.certificate exclude each other; configure one");
        }
        if (certificate.isEmpty() != key.isEmpty()) {
            throw s.error(certificate.isEmpty() ? "certificate" : "key", null, "is required together with the other");
        }
        if (certificate.isEmpty() && !selfSigned) {
            if (!clientCas.isEmpty()) {
                throw s.error("clientcas", null, "needs TLS: set http.tls.certificate and key, or selfsigned: true");
            }
            return Optional.empty();
        }
        return Optional.of(new HttpConfig.TlsConfig(certificate, key, clientCas, minimum, selfSigned, hosts, selfSignedDir));
    }

    private static Optional<HttpConfig.DebugConfig> debug(Section s) {
        if (!s.isPresent()) {
            return Optional.empty();
        }
        String addr = s.string("addr", ":5001");
        checkAddr(s, "addr", addr);
        Section prometheus = s.section("prometheus");
        boolean enabled = prometheus.bool("enabled", false);
        String path = prometheus.string("path", "/metrics");
        prometheus.finish();
        s.finish();
        return Optional.of(new HttpConfig.DebugConfig(addr, enabled, path));
    }

    private static Optional<AuthConfig> auth(Section s) {
        if (!s.isPresent() || s.keys().isEmpty()) {
            s.finish();
            return Optional.empty();
        }
        List<String> schemes = List.copyOf(s.keys());
        if (schemes.size() > 1) {
            throw s.error(schemes.get(1), null, "is a second auth scheme; configure at most one");
        }
        String scheme = schemes.get(0);
        if (!List.of("htpasswd", "token", "silly").contains(scheme)) {
            s.finish();
        }
        Map<String, Object> parameters = s.section(scheme).plain();
        Optional<AuthConfig.Htpasswd> htpasswd = Optional.empty();
        if (scheme.equals("htpasswd")) {
            Section h = s.section("htpasswd");
            String path = h.string("path").orElseThrow(() -> h.error("path", null, "is required: the htpasswd file "
                    + "with bcrypt entries (htpasswd -B)"));
            htpasswd = Optional.of(new AuthConfig.Htpasswd(path, h.string("realm", "Registry Realm"),
                    h.bool("anonymouspull", false)));
            h.finish();
        }
        s.finish();
        return Optional.of(new AuthConfig(scheme, parameters, htpasswd));
    }

    private static HealthConfig health(Section s) {
        Section storage = s.section("storagedriver");
        boolean enabled = storage.bool("enabled", false);
        Duration interval = positive(storage, "interval", Duration.ofSeconds(10));
        int threshold = Math.max(1, storage.integer("threshold", 1));
        storage.finish();
        List<HealthConfig.FileCheck> files = new ArrayList<>();
        for (Section f : s.sections("file")) {
            String file = f.string("file").orElseThrow(() -> f.error("file", null, "is required"));
            files.add(new HealthConfig.FileCheck(file, positive(f, "interval", Duration.ofSeconds(10))));
            f.finish();
        }
        List<HealthConfig.HttpCheck> https = new ArrayList<>();
        for (Section h : s.sections("http")) {
            String uri = h.string("uri").orElseThrow(() -> h.error("uri", null, "is required"));
            url(h, "uri", uri);
            https.add(new HealthConfig.HttpCheck(uri, h.stringLists("headers"), h.integer("statuscode", 200),
                    positive(h, "timeout", Duration.ofSeconds(1)), positive(h, "interval", Duration.ofSeconds(10)),
                    Math.max(1, h.integer("threshold", 1))));
            h.finish();
        }
        List<HealthConfig.TcpCheck> tcps = new ArrayList<>();
        for (Section t : s.sections("tcp")) {
            String addr = t.string("addr").orElseThrow(() -> t.error("addr", null, "is required"));
            if (!addr.matches(".+:\\d{1,5}")) {
                throw t.error("addr", null, "must be host:port, not '" + addr + "'");
            }
            tcps.add(new HealthConfig.TcpCheck(addr, positive(t, "timeout", Duration.ofSeconds(1)),
                    positive(t, "interval", Duration.ofSeconds(10)), Math.max(1, t.integer("threshold", 1))));
            t.finish();
        }
        s.finish();
        return new HealthConfig(enabled, interval, threshold, List.copyOf(files), List.copyOf(https), List.copyOf(tcps));
    }

    private static Duration positive(Section s, String key, Duration defaultValue) {
        Duration d = s.duration(key, defaultValue);
        if (d.isZero() || d.isNegative()) {
            throw s.error(key, null, "must be more than 0");
        }
        return d;
    }

    private static Optional<ProxyConfig> proxy(Section s) {
        if (!s.isPresent()) {
            return Optional.empty();
        }
        List<RemoteRegistry> remotes = new ArrayList<>();
        Optional<String> remoteUrl = s.string("remoteurl");
        if (remoteUrl.isPresent()) {
            remotes.add(new RemoteRegistry(url(s, "remoteurl", remoteUrl.get()), s.string("username"), s.string("password")));
        } else if (s.has("username") || s.has("password")) {
            throw s.error("username", null, "and proxy.password go with proxy.remoteurl; "
                    + "give credentials per entry of proxy.remoteregistries instead");
        }
        for (Section r : s.sections("remoteregistries")) {
            String text = r.string("url").orElseThrow(() -> r.error("url", null, "is required"));
            Optional<Duration> ttl = r.has("ttl") ? Optional.of(r.duration("ttl", Duration.ZERO)) : Optional.empty();
            remotes.add(new RemoteRegistry(url(r, "url", text), r.string("username"), r.string("password"), ttl,
                    r.bool("insecure", false), r.string("cafile")));
            r.finish();
        }
        boolean dynamic = s.bool("on", false);
        Duration ttl = s.duration("ttl", Duration.ofHours(168));
        Duration connectTimeout = s.duration("connecttimeout", Duration.ofSeconds(5));
        Duration timeout = s.duration("timeout", Duration.ofSeconds(15));
        if (connectTimeout.isZero() || timeout.isZero()) {
            throw s.error(connectTimeout.isZero() ? "connecttimeout" : "timeout", null, "must be more than 0");
        }
        List<String> localNamespaces = s.strings("localnamespaces");
        List<String> allowedHosts = s.strings("allowedhosts");
        for (String pattern : allowedHosts) {
            if (!ALLOWED_HOST.matcher(pattern.toLowerCase(java.util.Locale.ROOT)).matches()) {
                throw s.error("allowedhosts", null, "entries are host or host:port, with '*' only as the whole leftmost "
                        + "label ('*.example.com'); not '" + pattern + "'");
            }
        }
        Duration accessTtl = s.duration("accessttl", Duration.ofMinutes(1));
        Duration accessGrace = s.duration("accessgrace", Duration.ofHours(1));
        long maxBlobSize = s.bytes("maxblobsize", 32L << 30);
        if (maxBlobSize <= 0) {
            throw s.error("maxblobsize", null, "must be more than 0");
        }
        boolean prefetch = s.bool("prefetch", false);
        List<String> pins = s.strings("pins");
        List<String> prewarm = s.strings("prewarm");
        EvictionConfig eviction = eviction(s.section("eviction"));
        s.finish();
        return Optional.of(new ProxyConfig(List.copyOf(remotes), dynamic, ttl, connectTimeout, timeout,
                List.copyOf(localNamespaces), allowedHosts.stream().map(h -> h.toLowerCase(java.util.Locale.ROOT)).toList(),
                accessTtl, accessGrace, maxBlobSize, prefetch, List.copyOf(pins), eviction, List.copyOf(prewarm)));
    }

    /** {@code host}, {@code host:port}, {@code [v6]:port}, {@code *.domain}, with an optional port. */
    private static final java.util.regex.Pattern ALLOWED_HOST = java.util.regex.Pattern.compile(
            "(?:(?:\\*\\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\\[[0-9a-f:.]+\\])"
                    + "(?::[0-9]{1,5})?");

    private static URI url(Section s, String key, String text) {
        try {
            URI uri = new URI(text.trim());
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new URISyntaxException(text, "not an http(s) URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw s.error(key, null, "must be an http:// or https:// URL, not '" + text + "'");
        }
    }
}
