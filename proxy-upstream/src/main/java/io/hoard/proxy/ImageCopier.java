package io.hoard.proxy;

import io.hoard.config.RemoteRegistry;
import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.ErrorCode;
import io.hoard.model.ImageReference;
import io.hoard.model.Reference;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.storage.Access;
import io.hoard.storage.CacheStorage;
import io.hoard.storage.ImageGraph;
import io.hoard.storage.Manifest;
import io.hoard.storage.Repository;
import io.hoard.storage.RepositoryResolver;
import io.hoard.upstream.AddressPolicy;
import io.hoard.upstream.Credentials;
import io.hoard.upstream.RegistryClient;
import io.hoard.upstream.UpstreamEndpoint;
import io.hoard.upstream.UpstreamException;
import io.hoard.upstream.UpstreamManifest;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Copies (stages) an image into a local repository and tag: the manifest or index with all its
 * children, configs and layers. Blobs the store already holds, under any repository, are linked
 * (mounted), the others fetched once through the {@link BlobFetcher} (joining a fill under way).
 *
 * <p>Sources: a local repository (or a cache of a configured upstream, read through the cache as
 * a pull would), a configured upstream named by its host, or any registry. Credentials given with
 * a copy reach the upstream through an endpoint made for that copy alone, so no token obtained
 * with them outlives it; they are never stored or logged.
 */
public final class ImageCopier {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ImageCopier.class);
    /** The most referrers copied per manifest of an image. */
    private static final int MAX_REFERRERS = 64;
    /** Blobs fetched at the same time, as docker does. */
    private static final int PARALLEL_FETCHES = 4;

    /**
     * What a copy did.
     *
     * @param tag the tag the copy was stored under, or null (a source by digest, no tag given)
     * @param referrers manifests copied along because their subject is part of the image (signatures,
     *        attestations, SBOMs)
     */
    public record Result(Digest digest, String mediaType, @Nullable String tag, int blobsFetched, long bytesFetched,
            int blobsReused, long bytesReused, int referrers) {
    }

    /** Told about each blob as it is done. */
    public interface Progress {
        void blob(Descriptor blob, boolean fetched, int done, int total, long bytesDone, long bytesTotal);

        Progress NONE = (blob, fetched, done, total, bytesDone, bytesTotal) -> {
        };
    }

    /** Where an image is read from: its manifests and, for a remote one, the upstream to fetch blobs from. */
    private record Source(String description, ManifestSource manifests, @Nullable ProxyTarget upstream,
            ReferrerSource referrers) {
    }

    /** The manifests whose subject is a digest, as the source's referrers API lists them; best effort. */
    private interface ReferrerSource {
        List<Digest> of(Digest subject);
    }

    private interface ManifestSource {
        Manifest get(Reference reference);
    }

    private final CacheStorage storage;
    private final BlobFetcher fetcher;
    private final RepositoryResolver resolver;
    private final @Nullable ProxyRouter router;
    private final List<RemoteRegistry> remotes;
    private final Duration connectTimeout;
    private final Duration timeout;
    private final Clock clock;

    /**
     * @param router the cache's routing, or null for a plain registry (hosts are then always reached directly)
     * @param remotes {@code proxy.remoteregistries}, in the router's order
     */
    public ImageCopier(CacheStorage storage, BlobFetcher fetcher, RepositoryResolver resolver, @Nullable ProxyRouter router,
            List<RemoteRegistry> remotes, Duration connectTimeout, Duration timeout, Clock clock) {
        this.storage = storage;
        this.fetcher = fetcher;
        this.resolver = resolver;
        this.router = router;
        this.remotes = List.copyOf(remotes);
        this.connectTimeout = connectTimeout;
        this.timeout = timeout;
        this.clock = clock;
    }

    /**
     * Copies {@code source} ({@code [host/]repository[:tag|@digest]}) into {@code target}, tagged
     * {@code tag} (or, when null, under the source's tag; a source by digest is then stored untagged).
     *
     * @param credentials for the source's registry, used for this copy only; null: a configured
     *        upstream's own, or anonymous
     * @param target the local repository, already claimed for writing
     * @throws RegistryException {@code MANIFEST_UNKNOWN}, {@code DENIED}, {@code UNAVAILABLE}, ... saying what failed
     */
    public Result copy(String source, @Nullable Credentials credentials, Repository target, @Nullable String tag,
            Progress progress) {
        SourceName name = SourceName.parse(source);
        Source from = open(name, credentials, target.name());
        ImageGraph image = graph(from, from.manifests().get(name.reference()));
        Manifest root = image.root();
        Counts counts = new Counts();
        copyBlobs(from, target.name(), image.blobs(), progress, counts);
        for (Manifest m : image.manifests()) {
            target.manifests().put(m.content(), m.mediaType(), m.digest().algorithm());
        }
        int referrers = copyReferrers(from, target, image, progress, counts);
        String newTag = tag != null ? tag : name.reference() instanceof Reference.Tag t ? t.name() : null;
        if (newTag != null) {
            target.tags().tag(newTag, root.digest());
        }
        return new Result(root.digest(), root.mediaType(), newTag, counts.fetched.get(), counts.bytesFetched.get(),
                counts.reused.get(), counts.bytesReused.get(), referrers);
    }

    /**
     * Brings {@code image} ({@code [host/]repository[:tag|@digest]} as a client pulls it) into the
     * cache, as a pull would but ahead of one ({@code proxy.prewarm}): the tag is revalidated when
     * its TTL has passed, and every manifest and blob it references is fetched unless stored.
     *
     * @return the blobs fetched
     */
    public int warm(String image) {
        SourceName name = SourceName.parse(image);
        Repository repo = resolver.resolve(name.full(), new Access(false, null, null));
        Source from = new Source(name.full(), reference -> fromRepository(repo, reference, name), null,
                subject -> List.of());
        int fetched = 0;
        for (Descriptor blob : graph(from, from.manifests().get(name.reference())).blobs()) {
            if (repo.blobs().stat(blob.digest()).isPresent() && storage.statContent(blob.digest()).isPresent()) {
                continue;
            }
            try (io.hoard.storage.BlobContent content = repo.blobs().open(blob.digest(), 0)) {
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(64 * 1024);
                while (content.channel().read(buffer.clear()) >= 0) {
                    // draining it is what fills the cache
                }
                fetched++;
            } catch (java.io.IOException e) {
                throw new RegistryException(ErrorCode.UNAVAILABLE, "fetching " + blob.digest() + " of " + image + " failed: "
                        + e.getMessage());
            }
        }
        return fetched;
    }

    /** A copy source's parts: the registry host (null: this registry), repository and reference. */
    record SourceName(@Nullable String host, String repository, Reference reference) {
        static SourceName parse(String source) {
            ImageReference parts = ImageReference.split(source.trim());
            Reference reference = parts.reference();
            String s = parts.name();
            int slash = s.indexOf('/');
            String first = slash > 0 ? s.substring(0, slash).toLowerCase(Locale.ROOT) : "";
            if (slash > 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"))) {
                String repository = s.substring(slash + 1);
                RepositoryName.of(repository); // validates
                return new SourceName(first, repository, reference);
            }
            RepositoryName.of(s);
            return new SourceName(null, s, reference);
        }

        String full() {
            return host == null ? repository : host + "/" + repository;
        }
    }

    private Source open(SourceName name, @Nullable Credentials credentials, RepositoryName target) {
        boolean hub = name.host() != null && ProxyRouter.isDockerHub(name.host());
        if (hub && credentials == null && hubIsRouted(name)) {
            // docker.io/library/nginx: the default upstream's cache, as containerd's ?ns=docker.io pulls it.
            return throughCache(resolver.resolve(name.repository(), new Access(false, "docker.io", null)), name, target);
        }
        if (name.host() == null || (!hub && credentials == null && configuredRoute(name).isPresent())) {
            // This registry's own repository, or a cache of a configured upstream: read as a pull would.
            return throughCache(resolver.resolve(name.full(), new Access(false, null, null)), name, target);
        }
        Credentials given = credentials == null ? Credentials.anonymous() : credentials;
        Optional<ProxyRouter.Configured> configured = hub ? hubRoute(name) : configuredRoute(name);
        UpstreamEndpoint endpoint;
        String remoteName;
        if (configured.isPresent()) {
            RemoteRegistry remote = remotes.get(configured.get().upstream());
            endpoint = UpstreamEndpoint.create(new RemoteRegistry(remote.url(), Optional.empty(), Optional.empty(),
                    remote.ttl(), remote.insecure(), remote.caFile()), connectTimeout, timeout, clock);
            remoteName = configured.get().remoteName();
        } else {
            String host = hub ? ProxyRouter.DOCKER_HUB_API : name.host();
            endpoint = UpstreamEndpoint.dynamic(URI.create((Upstreams.isLoopback(host) ? "http" : "https") + "://" + host),
                    AddressPolicy.open(), connectTimeout, timeout, clock);
            remoteName = hub ? ProxyRouter.hubName(name.repository()) : name.repository();
        }
        ProxyTarget upstream = new ProxyTarget(new RegistryClient(endpoint, given), remoteName, target, Duration.ZERO, null);
        return new Source(name.full(), reference -> fromUpstream(upstream, reference), upstream,
                subject -> upstream.upstream().referrers(upstream.remoteName(), subject, null)
                        .map(index -> io.hoard.storage.ManifestParser.indexEntries(index).stream()
                                .map(e -> e.descriptor().digest()).toList())
                        .orElse(List.of()));
    }

    private static Source throughCache(Repository repo, SourceName name, RepositoryName target) {
        ProxyTarget upstream = repo instanceof ProxyRepository p
                ? new ProxyTarget(p.target().upstream(), p.target().remoteName(), target, p.target().ttl(), null)
                : null;
        return new Source(name.full(), reference -> fromRepository(repo, reference, name), upstream,
                subject -> repo.manifests().referrers(subject, null).stream().map(r -> r.descriptor().digest()).toList());
    }

    /** The configured default upstream's route for a Docker Hub name, when there is one. */
    private Optional<ProxyRouter.Configured> hubRoute(SourceName name) {
        if (router == null) {
            return Optional.empty();
        }
        try {
            return router.route(name.repository(), "docker.io", false) instanceof ProxyRouter.Configured c ? Optional.of(c)
                    : Optional.empty();
        } catch (RegistryException notRouted) {
            return Optional.empty();
        }
    }

    /** Whether this registry routes Docker Hub names to an upstream (a configured default, or proxy.on). */
    private boolean hubIsRouted(SourceName name) {
        if (router == null) {
            return false;
        }
        try {
            router.route(name.repository(), "docker.io", false);
            return true;
        } catch (RegistryException notRouted) {
            return false;
        }
    }

    private Optional<ProxyRouter.Configured> configuredRoute(SourceName name) {
        if (router == null || name.host() == null) {
            return Optional.empty();
        }
        try {
            return router.route(name.full(), null, false) instanceof ProxyRouter.Configured c ? Optional.of(c) : Optional.empty();
        } catch (RegistryException notRouted) {
            return Optional.empty();
        }
    }

    private static Manifest fromRepository(Repository repo, Reference reference, SourceName name) {
        Digest digest = switch (reference) {
            case Reference.ByDigest d -> d.digest();
            case Reference.Tag t -> repo.tags().get(t.name()).orElseThrow(() -> new RegistryException(
                    ErrorCode.MANIFEST_UNKNOWN, "the source " + name.full() + " has no tag " + t.name()));
        };
        return repo.manifests().get(digest).orElseThrow(() -> new RegistryException(ErrorCode.MANIFEST_UNKNOWN,
                "the source " + name.full() + " has no manifest " + digest));
    }

    private Manifest fromUpstream(ProxyTarget upstream, Reference reference) {
        String what = upstream.remoteName() + (reference instanceof Reference.ByDigest ? "@" : ":") + reference
                + " on " + upstream.upstream().name();
        Optional<UpstreamManifest> fetched;
        try {
            fetched = upstream.upstream().getManifest(upstream.remoteName(), reference.toString(), storage.maxManifestBytes());
        } catch (UpstreamException e) {
            throw switch (e.kind()) {
                case UNAUTHORIZED -> new RegistryException(ErrorCode.DENIED, "the source registry refused access to "
                        + what + ": " + e.getMessage());
                case PROTOCOL -> new RegistryException(ErrorCode.MANIFEST_INVALID, "cannot read " + what + ": "
                        + e.getMessage());
                default -> new RegistryException(ErrorCode.UNAVAILABLE, "cannot read " + what + ": " + e.getMessage());
            };
        }
        UpstreamManifest m = fetched.orElseThrow(() -> new RegistryException(ErrorCode.MANIFEST_UNKNOWN,
                "the source registry has no manifest " + what));
        if (reference instanceof Reference.ByDigest d && !Digest.of(d.digest().algorithm(), m.content()).equals(d.digest())) {
            throw new RegistryException(ErrorCode.MANIFEST_INVALID, "the source registry sent a manifest that does not "
                    + "match " + d.digest() + " for " + what);
        }
        return new Manifest(m.content(), m.mediaType(), m.digest(), null);
    }

    /** The image's manifests (children first) and blobs, the children read from {@code from}. */
    private static ImageGraph graph(Source from, Manifest root) {
        return ImageGraph.of(root, child -> from.manifests().get(new Reference.ByDigest(child)));
    }

    private static final class Counts {
        final AtomicInteger fetched = new AtomicInteger();
        final AtomicLong bytesFetched = new AtomicLong();
        final AtomicInteger reused = new AtomicInteger();
        final AtomicLong bytesReused = new AtomicLong();
        final AtomicInteger done = new AtomicInteger();
        final AtomicLong bytesDone = new AtomicLong();
    }

    /** Links what the store holds, fetches the rest ({@value #PARALLEL_FETCHES} at a time). */
    private void copyBlobs(Source from, RepositoryName target, List<Descriptor> blobs, Progress progress, Counts counts) {
        long total = blobs.stream().mapToLong(Descriptor::size).sum();
        List<Descriptor> missing = new ArrayList<>();
        for (Descriptor blob : blobs) {
            if (storage.linkBlob(target, blob.digest()).isPresent()) {
                counts.reused.incrementAndGet();
                counts.bytesReused.addAndGet(blob.size());
                progress.blob(blob, false, counts.done.incrementAndGet(), blobs.size(), counts.bytesDone.addAndGet(blob.size()),
                        total);
            } else {
                missing.add(blob);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        ProxyTarget upstream = from.upstream();
        if (upstream == null) {
            throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "the source " + from.description() + " lacks blob "
                    + missing.get(0).digest() + " that its manifest references");
        }
        Semaphore slots = new Semaphore(PARALLEL_FETCHES);
        try (ExecutorService pool = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("hoard-copy-", 0).factory())) {
            List<Future<?>> fetches = new ArrayList<>();
            for (Descriptor blob : missing) {
                fetches.add(pool.submit(() -> {
                    slots.acquire();
                    try {
                        fetcher.stage(blob.digest(), upstream);
                    } finally {
                        slots.release();
                    }
                    counts.fetched.incrementAndGet();
                    counts.bytesFetched.addAndGet(blob.size());
                    progress.blob(blob, true, counts.done.incrementAndGet(), blobs.size(),
                            counts.bytesDone.addAndGet(blob.size()), total);
                    return null;
                }));
            }
            for (Future<?> f : fetches) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    fetches.forEach(other -> other.cancel(true));
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    throw cause instanceof RuntimeException r ? r
                            : new RegistryException(ErrorCode.UNKNOWN, "copying a blob failed: " + cause, cause);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(ErrorCode.UNAVAILABLE, "the copy was interrupted");
        }
    }

    /**
     * Copies the manifests that refer to a part of the image (OCI 1.1 {@code subject}: signatures,
     * attestations, SBOMs) with what they reference. Best effort: a source without a referrers API
     * has none to give, and a referrer that cannot be copied is logged and left out.
     *
     * @return how many were copied
     */
    private int copyReferrers(Source from, Repository target, ImageGraph image, Progress progress, Counts counts) {
        int copied = 0;
        for (Manifest subject : image.manifests()) {
            List<Digest> referrers;
            try {
                referrers = from.referrers().of(subject.digest());
            } catch (RuntimeException e) {
                LOG.warn("listing the referrers of {} in {} failed; copied without them: {}", subject.digest(),
                        from.description(), e.getMessage());
                continue;
            }
            for (Digest d : referrers.stream().limit(MAX_REFERRERS).toList()) {
                if (target.manifests().exists(d)) {
                    continue;
                }
                try {
                    ImageGraph referrer = graph(from, from.manifests().get(new Reference.ByDigest(d)));
                    copyBlobs(from, target.name(), referrer.blobs(), progress, counts);
                    for (Manifest m : referrer.manifests()) {
                        target.manifests().put(m.content(), m.mediaType(), m.digest().algorithm());
                    }
                    copied++;
                } catch (RuntimeException e) {
                    LOG.warn("referrer {} of {} in {} not copied: {}", d, subject.digest(), from.description(),
                            e.getMessage());
                }
            }
        }
        return copied;
    }

}
