package io.hoard.proxy;

import io.hoard.model.Digest;
import java.net.URI;

/**
 * Which instance of a cluster fetches a blob from its upstream: the first to claim the digest holds
 * a lease (renewed while its fill runs); the others stream the fill from it over the peer route.
 * {@link #NONE} is a single instance (or a cluster whose Redis is down): every fill is its own.
 */
public interface FillLeases {
    /** No cluster: every claim is {@link Claim.Alone}. */
    FillLeases NONE = new FillLeases() {
        @Override
        public Claim claim(Digest digest) {
            return new Claim.Alone();
        }

        @Override
        public boolean heldBy(Digest digest, String holder) {
            return false;
        }
    };

    /** The outcome of a claim. */
    sealed interface Claim {
        /** This instance fetches; close the lease when the blob is committed (or the fill failed). */
        record Owner(Lease lease) implements Claim {
        }

        /** Instance {@code holder} is fetching; its fill in progress is at {@code peer}. */
        record HeldBy(String holder, URI peer) implements Claim {
        }

        /** No coordination: fetch as if alone. */
        record Alone() implements Claim {
        }
    }

    /** A held lease, renewed in the background until closed. */
    interface Lease extends AutoCloseable {
        @Override
        void close();
    }

    /** Tries to become the instance that fetches {@code digest}. */
    Claim claim(Digest digest);

    /** True while {@code holder} still holds the lease of {@code digest} (its fill, or its commit, runs). */
    boolean heldBy(Digest digest, String holder);
}
