package io.hoard.upstream;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The V2 client for one upstream and one identity: each operation is one {@link UpstreamCall}
 * ({@link ManifestHead}, {@link ManifestGet}, {@link BlobHead}, {@link BlobGet}, {@link TagListPage},
 * {@link ReferrersGet}, {@link RepositoryCheck}), sent by the {@link UpstreamCaller} that owns
 * authentication, redirects, retries, the circuit breaker and statistics. Blob bodies try the
 * plain socket path first ({@link UpstreamCaller#callDirect}).
 */
public final class RegistryClient implements UpstreamRegistry {
    private static final int MAX_TAG_PAGES = 100;
    private static final int MAX_TAGS = 100_000;

    private final UpstreamEndpoint endpoint;
    private final UpstreamCaller caller;

    public RegistryClient(UpstreamEndpoint endpoint, Credentials credentials) {
        this.endpoint = endpoint;
        this.caller = new UpstreamCaller(endpoint, credentials);
    }

    @Override
    public String name() {
        return endpoint.name();
    }

    @Override
    public UpstreamStats stats() {
        return endpoint.stats();
    }

    /** Whether the circuit breaker currently refuses calls to this upstream. */
    public boolean circuitOpen() {
        return endpoint.breaker().isOpen();
    }

    @Override
    public Optional<Descriptor> headManifest(String repository, String reference) {
        return caller.call(repository, new ManifestHead(repository, reference));
    }

    @Override
    public Optional<UpstreamManifest> getManifest(String repository, String reference, int maxBytes) {
        return caller.call(repository, new ManifestGet(repository, reference, maxBytes));
    }

    @Override
    public Optional<Descriptor> headBlob(String repository, Digest digest) {
        return caller.call(repository, new BlobHead(repository, digest));
    }

    @Override
    public Optional<BlobStream> openBlob(String repository, Digest digest, long offset) {
        BlobGet get = new BlobGet(repository, digest, offset);
        Optional<BlobStream> direct = caller.callDirect(repository, get);
        return direct.isPresent() ? direct : caller.call(repository, get);
    }

    @Override
    public Optional<List<String>> tags(String repository) {
        List<String> tags = new ArrayList<>();
        String path = TagListPage.first(repository).path();
        for (int page = 0; page < MAX_TAG_PAGES && path != null; page++) {
            Optional<TagListPage.Page> p = caller.call(repository, new TagListPage(repository, path));
            if (p.isEmpty()) {
                return page == 0 ? Optional.empty() : Optional.of(tags);
            }
            tags.addAll(p.get().tags());
            if (tags.size() > MAX_TAGS) {
                throw new UpstreamException(UpstreamException.Kind.PROTOCOL, name() + " lists more than " + MAX_TAGS
                        + " tags for " + repository);
            }
            path = p.get().next();
        }
        return Optional.of(tags);
    }

    @Override
    public Optional<byte[]> referrers(String repository, Digest subject, @Nullable String artifactType) {
        return caller.call(repository, new ReferrersGet(repository, subject, artifactType));
    }

    /**
     * True when the upstream serves {@code repository} to these credentials (its first page of tags
     * answers 200); false for a 404, 401 or 403 (Docker Hub answers 401 for names it does not have).
     *
     * @throws UpstreamException when the upstream cannot say (unreachable, 5xx, 429, anything odd)
     */
    public boolean serves(String repository) {
        try {
            return caller.call(repository, new RepositoryCheck(repository));
        } catch (UpstreamException e) {
            if (e.kind() == UpstreamException.Kind.UNAUTHORIZED) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public Optional<java.time.Instant> accessExpires(String repository) {
        return caller.accessExpires(repository);
    }
}
