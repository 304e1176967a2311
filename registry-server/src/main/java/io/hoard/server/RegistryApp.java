package io.hoard.server;

import io.hoard.config.AuthConfig;
import io.hoard.config.ConfigException;
import io.hoard.config.HttpConfig;
import io.hoard.config.RegistryConfig;
import io.hoard.config.StorageConfig;
import io.hoard.server.auth.AccessControl;
import io.hoard.server.auth.Htpasswd;
import io.hoard.server.auth.TokenService;
import io.hoard.server.handlers.BlobHandler;
import io.hoard.server.handlers.CatalogHandler;
import io.hoard.server.handlers.HandlerSettings;
import io.hoard.server.handlers.Handlers;
import io.hoard.server.handlers.ManifestHandler;
import io.hoard.server.handlers.PeerFillHandler;
import io.hoard.server.handlers.MountSources;
import io.hoard.server.handlers.ReferrersHandler;
import io.hoard.server.handlers.TagsHandler;
import io.hoard.server.handlers.UploadHandler;
import io.hoard.server.handlers.RegistryDispatcher;
import io.hoard.server.http.InFlight;
import io.hoard.server.http.ServerSettings;
import io.hoard.server.tls.TlsContexts;
import io.hoard.config.ProxyConfig;
import io.hoard.model.RepositoryName;
import io.hoard.proxy.BlobFetcher;
import io.hoard.proxy.ImageCopier;
import io.hoard.server.admin.AdminAccess;
import io.hoard.server.admin.AdminApi;
import io.hoard.storage.Pin;
import io.hoard.storage.PinStore;
import io.hoard.storage.Pins;
import io.hoard.proxy.ProxyMetrics;
import io.hoard.proxy.ProxyRepositories;
import io.hoard.proxy.ProxyResolver;
import io.hoard.proxy.ProxyRouter;
import io.hoard.proxy.Upstreams;
import io.hoard.storage.DriverRegistry;
import io.hoard.storage.RepositoryResolver;
import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StorageDrivers;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The composition root: turns a {@link RegistryConfig} into a running registry. The only place with wiring. */
public final class RegistryApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryApp.class);

    /** Without a proxy section: the timeouts and size limit of admin copies from other registries. */
    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration DEFAULT_UPSTREAM_TIMEOUT = Duration.ofSeconds(15);
    private static final long DEFAULT_MAX_BLOB_SIZE = 32L << 30;

    private final RegistryConfig config;
    private final StorageDriver driver;
    private final ExecutorService workers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("hoard-request-", 0).factory());
    private final ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("hoard-maintenance").factory());
    private final InFlight inFlight = new InFlight();
    private final RegistryServer server;
    private final @Nullable ProxyMetrics proxyMetrics;
    private java.nio.channels.@Nullable FileChannel spoolLock;
    private final @Nullable Cluster cluster;
    private @Nullable CacheUpkeep upkeep;
    private io.hoard.server.metrics.@Nullable DebugServer debugServer;
    private io.hoard.server.registration.@Nullable ServiceRegistration registration;
    private @Nullable BlobFetcher fetcher;
    private volatile java.net.@Nullable URI peerUrl;

    private RegistryApp(RegistryConfig config, Clock clock) throws Exception {
        this.config = config;
        refuseWhatIsNotThereYet(config);
        io.hoard.server.metrics.RegistryMetrics meters = config.http().debug()
                .filter(HttpConfig.DebugConfig::prometheusEnabled).map(d -> new io.hoard.server.metrics.RegistryMetrics())
                .orElse(null);
        StorageDriver storage = createDriver(config.storage());
        this.driver = meters == null ? storage : new io.hoard.server.metrics.MeteredStorageDriver(storage, meters.registry());
        this.cluster = Cluster.of(config, clock, this::peerUrl);
        try {
            DriverRegistry registry = new DriverRegistry(driver, DriverRegistry.DEFAULT_MAX_MANIFEST_BYTES,
                    config.storage().blobDescriptorCacheSize(),
                    cluster != null ? cluster.descriptors() : io.hoard.storage.SharedDescriptors.NONE);
            HandlerSettings handlerSettings = new HandlerSettings(config.storage().deleteEnabled(), config.storage().readOnly(),
                    config.catalog().maxEntries(), !config.storage().redirectDisabled() && driver.offersRedirects());
            HttpConfig http = config.http();
            ServerSettings serverSettings = new ServerSettings(http.headers(), http.host(), http.relativeUrls(),
                    Duration.ofSeconds(60), !config.log().accessLogDisabled(), http.headTimeout(), http.maxConnections());
            SslContext ssl = http.tls().isPresent()
                    ? TlsContexts.server(http.tls().get(), driver.localRoot().map(root -> root.resolve("_tls")).orElse(null),
                            http.host(), http.port())
                    : null;
            AccessControl access = accessControl(config, clock);
            ProxyMetrics metrics = new ProxyMetrics();
            this.proxyMetrics = config.proxy().isPresent() ? metrics : null;
            ProxyConfig proxy = config.proxy().orElse(null);
            Duration upstreamTimeout = proxy != null ? proxy.timeout() : DEFAULT_UPSTREAM_TIMEOUT;
            long maxBlobSize = proxy != null ? proxy.maxBlobSize() : DEFAULT_MAX_BLOB_SIZE;
            // Also without a proxy section: admin copies fetch from other registries through it.
            BlobFetcher fetcher = cluster == null
                    ? new BlobFetcher(registry, spoolDirectory(), upstreamTimeout, maxBlobSize, metrics)
                    : new BlobFetcher(registry, spoolDirectory(), upstreamTimeout, maxBlobSize, metrics,
                            cluster.leases(), cluster.peerSources());
            this.fetcher = fetcher;
            RepositoryResolver resolver = RepositoryResolver.local(registry);
            ProxyRouter router = null;
            Upstreams upstreams = null;
            if (proxy != null) {
                router = new ProxyRouter(proxy, ProxyRouter.RepositoryState.of(registry));
                upstreams = new Upstreams(proxy, clock);
                resolver = new ProxyResolver(router, upstreams, new ProxyRepositories(registry, fetcher,
                        metrics, clock, proxy.timeout(), proxy.prefetch() ? proxy.maxBlobSize() : 0), registry);
            }
            java.util.function.Function<String, RepositoryName> storedName = ConfiguredPins.storedNames(router);
            Pins pins = new Pins(new PinStore(driver), ConfiguredPins.of(proxy, storedName), clock);
            ImageCopier copier = new ImageCopier(registry, fetcher, resolver, router,
                    proxy != null ? proxy.remoteRegistries() : java.util.List.of(),
                    proxy != null ? proxy.connectTimeout() : DEFAULT_CONNECT_TIMEOUT, upstreamTimeout, clock);
            CacheUpkeep upkeep = new CacheUpkeep(registry, proxy, pins, copier, clock,
                    cluster != null ? cluster.pullLog() : io.hoard.storage.PullLog.NONE,
                    cluster != null ? cluster.turns() : null);
            this.upkeep = upkeep;
            AdminApi admin = new AdminApi(new AdminAccess(access, config.admin().users()), copier, resolver, pins, storedName,
                    config.storage().readOnly(), upkeep);
            Handlers handlers = new Handlers(new CatalogHandler(registry, resolver, handlerSettings.catalogMaxEntries()),
                    new TagsHandler(), new ManifestHandler(handlerSettings, registry.maxManifestBytes(),
                            upkeep.accessTimes()),
                    new BlobHandler(handlerSettings, upkeep.blobUse()), new UploadHandler(new MountSources(registry)), new ReferrersHandler(),
                    new PeerFillHandler(cluster == null ? null : cluster.signature(), fetcher), admin);
            io.hoard.server.health.HealthMonitor health = new io.hoard.server.health.HealthMonitor();
            io.hoard.server.health.Probes.addAll(health, config.health(), driver, "storagedriver_" + config.storage().driver(),
                    config.storage().readOnly());
            RegistryDispatcher dispatcher = new RegistryDispatcher(resolver, handlerSettings, handlers, access, health);
            InetSocketAddress address = http.bindHost().isEmpty()
                    ? new InetSocketAddress(http.port())
                    : new InetSocketAddress(http.bindHost(), http.port());
            RegistryChannelInitializer channels = new RegistryChannelInitializer(ssl, dispatcher, workers, serverSettings,
                    inFlight, meters != null ? meters : io.hoard.server.http.RequestObserver.NONE);
            this.server = new RegistryServer(address, channels);
            if (meters != null) {
                meters.bindServer(inFlight::count, channels::openConnections);
                meters.bindHealth(health);
                meters.bindUploads(registry);
                driver.localRoot().ifPresent(meters::bindStorageRoot);
                if (proxy != null) {
                    meters.bindCache(metrics, fetcher);
                }
                if (upstreams != null) {
                    meters.bindUpstreams(upstreams);
                }
            }
            if (http.debug().isPresent()) {
                HttpConfig.DebugConfig debug = http.debug().get();
                this.debugServer = new io.hoard.server.metrics.DebugServer(debug.bindHost().isEmpty()
                        ? new InetSocketAddress(debug.port()) : new InetSocketAddress(debug.bindHost(), debug.port()),
                        health, meters, debug.prometheusPath());
            }
            schedulePurging(registry, config.storage().uploadPurging(), clock);
            health.start(maintenance);
            if (config.registration().enabled()) {
                this.registration = io.hoard.server.registration.ServiceRegistration.start(config.registration(),
                        Cluster.peerUrl(config.registration().advertise(), http.tls().isPresent(), http.bindHost(),
                                server.address()), version());
            }
            if (!config.storage().readOnly()) {
                upkeep.schedule(maintenance);
            }
            if (!config.ignoredKeys().isEmpty()) {
                LOG.warn("config keys accepted for compatibility with distribution but not acted on: {}",
                        config.ignoredKeys().entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")")
                                .collect(java.util.stream.Collectors.joining("; ")));
            }
            LOG.info("Hoard listening on {}://{} — {} — {}", ssl == null ? "http" : "https", describe(server.address()),
                    describeStorage(), describeProxy(config));
        } catch (Exception | Error e) {
            if (cluster != null) {
                cluster.close(); // its Redis threads would keep a failed start's JVM alive
            }
            if (debugServer != null) {
                debugServer.close();
            }
            throw e;
        }
    }

    /** Starts a registry; fails with a message that says what to fix. */
    public static RegistryApp start(RegistryConfig config) throws Exception {
        return new RegistryApp(config, Clock.systemUTC());
    }

    /** Starts a registry that tells time by {@code clock} (tag TTLs, access confirmations, tokens). */
    public static RegistryApp start(RegistryConfig config, Clock clock) throws Exception {
        return new RegistryApp(config, clock);
    }

    /** Where the other instances of a cluster reach this one (known once the server listens). */
    private java.net.URI peerUrl() {
        java.net.URI url = peerUrl;
        if (url == null) {
            url = Cluster.peerUrl(config.cluster().advertise(), config.http().tls().isPresent(), config.http().bindHost(),
                    server.address());
            peerUrl = url;
        }
        return url;
    }

    /** Hoard's version, from the jar's manifest ({@code dev} when run from classes). */
    static String version() {
        String v = RegistryApp.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** Where {@code http.debug.addr} listens (metrics, /debug/health), when configured. */
    public java.util.Optional<InetSocketAddress> debugAddress() {
        return java.util.Optional.ofNullable(debugServer).map(io.hoard.server.metrics.DebugServer::address);
    }

    /** The address the registry listens on. */
    public InetSocketAddress address() {
        return server.address();
    }

    public RegistryConfig config() {
        return config;
    }

    /** The pull-through cache's counters, when the configuration has a proxy section. */
    public java.util.Optional<ProxyMetrics> proxyMetrics() {
        return java.util.Optional.ofNullable(proxyMetrics);
    }

    /** Stops accepting, lets requests in flight finish for up to {@code http.draintimeout}, then stops. */
    @Override
    public void close() {
        Duration drain = config.http().drainTimeout();
        server.stopAccepting();
        if (registration != null) {
            registration.close(); // clients stop being sent here while what is in flight finishes
        }
        long deadline = System.nanoTime() + drain.toNanos();
        try {
            if (!inFlight.awaitIdle(drain)) {
                LOG.warn("{} request(s) still in flight after {}; closing their connections", inFlight.count(), drain);
            }
            // Fills whose clients went away still finish, so the next start has the blob.
            while (fetcher != null && fetcher.fillsInFlight() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            if (fetcher != null && fetcher.fillsInFlight() > 0) {
                LOG.warn("{} fill(s) from upstreams still running after {}; they are abandoned", fetcher.fillsInFlight(),
                        drain);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        maintenance.shutdownNow();
        if (debugServer != null) {
            debugServer.close();
        }
        if (upkeep != null) {
            upkeep.flush();
        }
        server.shutdown(Duration.ofSeconds(1));
        workers.shutdownNow();
        if (cluster != null) {
            cluster.close();
        }
        if (spoolLock != null) {
            try {
                spoolLock.close(); // releases the lock: the next start cleans the directory up
            } catch (java.io.IOException e) {
                LOG.debug("releasing the spool lock: {}", e.getMessage());
            }
        }
    }

    private static void refuseWhatIsNotThereYet(RegistryConfig config) {
        if (config.auth().isPresent() && !config.auth().get().scheme().equals("htpasswd")) {
            // Serving without the authentication an operator configured would open the registry to everyone.
            throw new ConfigException("auth." + config.auth().get().scheme() + " is configured, but Hoard implements "
                    + "only auth.htpasswd; use it, or remove the auth section to run without client authentication");
        }
    }

    private static @Nullable AccessControl accessControl(RegistryConfig config, Clock clock) {
        if (config.auth().isEmpty()) {
            return null;
        }
        AuthConfig.Htpasswd htpasswd = config.auth().get().htpasswd().orElseThrow();
        Htpasswd users = new Htpasswd(Path.of(htpasswd.path()));
        if (config.http().tls().isEmpty()) {
            LOG.warn("auth.htpasswd without http.tls: passwords cross the network in clear text");
        }
        return new AccessControl(users, htpasswd.realm(),
                htpasswd.anonymousPull() ? new TokenService(config.http().secret()) : null, clock);
    }

    private static StorageDriver createDriver(StorageConfig storage) {
        try {
            StorageDriver driver = StorageDrivers.create(storage.driver(), storage.parameters());
            if (driver.localRoot().isPresent()) {
                Path root = driver.localRoot().get();
                Files.createDirectories(root);
                if (!Files.isWritable(root)) {
                    throw new ConfigException("storage.filesystem.rootdirectory " + root + " is not writable");
                }
            }
            return driver;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(String.valueOf(e.getMessage()));
        } catch (java.io.IOException e) {
            throw new ConfigException("cannot create storage.filesystem.rootdirectory: " + e);
        }
    }

    private void schedulePurging(DriverRegistry registry, StorageConfig.UploadPurging purging, Clock clock) {
        if (!purging.enabled() || purging.interval().isZero()) {
            return;
        }
        long every = Math.max(1000, purging.interval().toMillis());
        maintenance.scheduleWithFixedDelay(() -> {
            try {
                registry.purgeUploads(purging.age(), clock.instant(), purging.dryRun());
            } catch (RuntimeException e) {
                LOG.warn("upload purging failed: {}", e.getMessage());
            }
        }, Math.min(every, 60_000), every, TimeUnit.MILLISECONDS);
    }

    /**
     * Where blobs being fetched from upstreams are spooled: beside the data (same disk, sized for
     * blobs) for the filesystem driver, else the system's temporary directory. Each instance gets a
     * directory of its own under {@code _spool}, locked while it runs, so instances sharing the data
     * directory never delete each other's downloads; at start, directories whose lock can be taken
     * (their instance is gone) are removed, and loose files from older versions once a day old.
     */
    private Path spoolDirectory() throws java.io.IOException {
        Path parent = driver.localRoot().map(root -> root.resolve("_spool"))
                .orElse(Path.of(System.getProperty("java.io.tmpdir"), "hoard-spool"));
        Files.createDirectories(parent);
        try (var entries = Files.list(parent)) {
            for (Path p : entries.toList()) {
                if (Files.isDirectory(p)) {
                    removeIfAbandoned(p);
                } else if (Files.getLastModifiedTime(p).toInstant().isBefore(Instant.now().minus(Duration.ofDays(1)))) {
                    Files.deleteIfExists(p);
                }
            }
        }
        Path mine = Files.createDirectories(parent.resolve("instance-" + java.util.UUID.randomUUID()));
        java.nio.channels.FileChannel lock = java.nio.channels.FileChannel.open(mine.resolve(".lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        lock.lock(); // held until this process ends or close() releases it
        spoolLock = lock;
        return mine;
    }

    private static void removeIfAbandoned(Path dir) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve(".lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.channels.FileLock held = ch.tryLock();
            if (held == null) {
                return; // another instance is running
            }
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    if (!f.getFileName().toString().equals(".lock")) {
                        Files.deleteIfExists(f);
                    }
                }
            }
            Files.deleteIfExists(dir.resolve(".lock"));
            held.release();
            Files.deleteIfExists(dir);
        } catch (java.nio.channels.OverlappingFileLockException e) {
            // held by another registry in this JVM
        } catch (java.io.IOException e) {
            LOG.warn("could not clean up spool directory {}: {}", dir, e.getMessage());
        }
    }

    private static String describeProxy(RegistryConfig config) {
        if (config.proxy().isEmpty()) {
            return "plain registry (no proxy section)";
        }
        var p = config.proxy().get();
        String remotes = p.remoteRegistries().stream().map(r -> r.url().toString()).collect(
                java.util.stream.Collectors.joining(", "));
        return "pull-through cache of " + (remotes.isEmpty() ? "no configured upstream" : remotes + " (first = docker.io)")
                + (p.dynamic() ? ", plus upstreams named by clients (proxy.on)" : "") + ", tag TTL "
                + io.hoard.config.Durations.format(p.ttl());
    }

    private String describeStorage() {
        String storage = driver.localRoot().map(root -> "storing in " + root).orElse("storage: " + driver.name());
        return config.redis().map(r -> storage + " — cluster through Redis at " + r.addr() + ", peers reach this instance at "
                + peerUrl()).orElse(storage);
    }

    private static String describe(InetSocketAddress a) {
        @Nullable String host = a.getAddress() == null || a.getAddress().isAnyLocalAddress() ? "0.0.0.0" : a.getHostString();
        return host + ":" + a.getPort();
    }
}
