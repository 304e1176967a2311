package io.hoard.storage;

import org.jspecify.annotations.Nullable;

/**
 * What a request wants of a repository, as far as choosing the repository goes.
 *
 * @param write true for pushes and deletes
 * @param namespace the registry the client names ({@code ?ns=} from containerd), if any
 * @param authorization the client's {@code Authorization} header, if any (used only for upstreams
 *        that take the client's own credentials)
 */
public record Access(boolean write, @Nullable String namespace, @Nullable String authorization) {
}
