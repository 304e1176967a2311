package io.hoard.proxy;

import io.hoard.model.Digest;
import io.hoard.upstream.BlobStream;
import java.io.IOException;

/** Another instance's fill in progress, read instead of the upstream (see {@link FillLeases}). */
@FunctionalInterface
public interface PeerSource {
    /**
     * The blob from {@code offset} as the other instance has it.
     *
     * @throws IOException when that instance cannot serve it (stopped, no longer filling, refused)
     */
    BlobStream open(Digest digest, long offset) throws IOException;
}
