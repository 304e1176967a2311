package io.hoard.storage;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.RepositoryName;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * What a pull-through cache needs of the registry it fills, beyond {@link Registry}: content is
 * stored once per digest whichever repository fetched it, and made visible to a repository by
 * linking it; each repository records whether its content was pushed here or cached. The proxy
 * decorates {@link Repository} stores over this interface and knows nothing of drivers or paths.
 */
public interface CacheStorage extends Registry {

    /** The largest manifest body accepted, in bytes. */
    int maxManifestBytes();

    /** Stored content with this digest, whichever repository it came through. */
    Optional<Descriptor> statContent(Digest digest);

    /** The bytes of stored content with this digest (meant for manifests: small). */
    Optional<byte[]> content(Digest digest);

    /** Links stored content into a repository's blobs; empty when no content has that digest. */
    Optional<Descriptor> linkBlob(RepositoryName name, Digest digest);

    /**
     * Stores a local file whose digest the caller has verified (a cache fill's spool) as the content
     * for {@code digest}, consuming the file, and links it into {@code name}.
     */
    Descriptor importVerified(RepositoryName name, Digest digest, Path file);

    /** When the tag was last written (or confirmed by a cache), if it exists. */
    Optional<Instant> tagModified(RepositoryName name, String tag);

    /** Where the repository's content comes from, as recorded by {@link #markOrigin}. */
    Origin origin(RepositoryName name);

    /** Whether the repository holds content (as {@link Repository#exists}, without building its stores). */
    boolean holdsContent(RepositoryName name);

    /** Records where the repository's content comes from, replacing what was recorded. */
    void markOrigin(RepositoryName name, Origin origin);
}
