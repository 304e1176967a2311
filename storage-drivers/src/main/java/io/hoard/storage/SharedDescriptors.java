package io.hoard.storage;

import io.hoard.model.Digest;
import io.hoard.model.RepositoryName;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A second tier behind {@link DescriptorCache} and the manifest cache, shared by every instance on
 * one store ({@code storage.cache.blobdescriptor: redis}): what one instance learned from storage,
 * another reads in one network round trip instead of several storage calls. Only what storage
 * says may be put here, and everything here is checked the way storage is (manifest bytes against
 * their digest). Implementations never block for long and never throw: an unavailable tier answers
 * "unknown", and callers ask storage.
 */
public interface SharedDescriptors {
    /** No shared tier: one instance, or several without Redis. */
    SharedDescriptors NONE = new SharedDescriptors() {
        @Override
        public Optional<Long> size(Digest digest) {
            return Optional.empty();
        }

        @Override
        public void size(Digest digest, long size) {
        }

        @Override
        public boolean isLinked(LinkKind kind, RepositoryName repository, Digest digest) {
            return false;
        }

        @Override
        public void linked(LinkKind kind, RepositoryName repository, Digest digest) {
        }

        @Override
        public void unlinked(LinkKind kind, RepositoryName repository, Digest digest) {
        }

        @Override
        public void contentGone(Digest digest) {
        }

        @Override
        public Optional<byte[]> manifest(Digest digest) {
            return Optional.empty();
        }

        @Override
        public void manifest(Digest digest, byte[] content) {
        }

        @Override
        public Optional<Origin> origin(RepositoryName repository) {
            return Optional.empty();
        }

        @Override
        public void origin(RepositoryName repository, Origin origin) {
        }

        @Override
        public void onInvalidation(Consumer<Invalidation> listener) {
        }
    };

    /** What another instance removed: drop it from memory too. */
    sealed interface Invalidation {
        record Unlinked(LinkKind kind, RepositoryName repository, Digest digest) implements Invalidation {
        }

        record ContentGone(Digest digest) implements Invalidation {
        }
    }

    Optional<Long> size(Digest digest);

    void size(Digest digest, long size);

    boolean isLinked(LinkKind kind, RepositoryName repository, Digest digest);

    void linked(LinkKind kind, RepositoryName repository, Digest digest);

    /** Forgets the link everywhere (and tells the other instances). */
    void unlinked(LinkKind kind, RepositoryName repository, Digest digest);

    /** Forgets the content everywhere (and tells the other instances). */
    void contentGone(Digest digest);

    /** A manifest's bytes as some instance read them from storage; the caller checks the digest. */
    Optional<byte[]> manifest(Digest digest);

    void manifest(Digest digest, byte[] content);

    /** Whether a repository holds pushed or cached content, as storage's marker says (never {@link Origin#UNKNOWN}). */
    Optional<Origin> origin(RepositoryName repository);

    void origin(RepositoryName repository, Origin origin);

    /** Calls {@code listener} for every removal another instance announces. */
    void onInvalidation(Consumer<Invalidation> listener);

    /** True when every instance announces its removals here, so memory may keep links for good. */
    default boolean announcesRemovals() {
        return false;
    }
}
