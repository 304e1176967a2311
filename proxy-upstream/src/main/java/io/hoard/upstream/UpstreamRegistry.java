package io.hoard.upstream;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the proxy needs of a remote registry. {@code repository} is the name on the upstream
 * ({@code library/nginx}); {@code reference} a tag or digest. "Not there" is an empty result; every
 * other failure is an {@link UpstreamException}.
 */
public interface UpstreamRegistry {

    /** The upstream's URL, for messages and metrics. */
    String name();

    UpstreamStats stats();

    /** The manifest's digest, size and media type, from a HEAD request (free of Docker Hub's pull limit). */
    Optional<Descriptor> headManifest(String repository, String reference);

    /** The manifest's bytes, at most {@code maxBytes}; its digest is computed from the bytes, not trusted. */
    Optional<UpstreamManifest> getManifest(String repository, String reference, int maxBytes);

    /** The blob's size, from a HEAD request. */
    Optional<Descriptor> headBlob(String repository, Digest digest);

    /** The blob's bytes from {@code offset}; the caller closes the stream and verifies the digest. */
    Optional<BlobStream> openBlob(String repository, Digest digest, long offset);

    /** Every tag of the repository (following pages), or empty when the upstream does not know it. */
    Optional<List<String>> tags(String repository);

    /**
     * When the credentials this client holds for {@code repository} expire (a bearer token's end), if
     * that is known: a confirmation of access is never trusted beyond it.
     */
    default Optional<java.time.Instant> accessExpires(String repository) {
        return Optional.empty();
    }

    /** The upstream's referrers index for {@code subject}, or empty when it has none or no referrers API. */
    Optional<byte[]> referrers(String repository, Digest subject, @Nullable String artifactType);
}
