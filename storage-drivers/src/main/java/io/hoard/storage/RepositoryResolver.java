package io.hoard.storage;

/**
 * Chooses the repository that serves a request for a name: the local one of a plain registry, or
 * (with a proxy section) a cache of an upstream, depending on the name and the request.
 */
public interface RepositoryResolver {

    /**
     * The repository for {@code name} (as it appears in the URL, not yet validated).
     *
     * @throws io.hoard.model.RegistryException {@code NAME_INVALID} for a bad name, {@code DENIED} for a
     *         write the registry does not accept for that name
     */
    Repository resolve(String name, Access access);

    /**
     * The repository for a pull when memory alone can route it (no storage or upstream call, so
     * it may be asked from an event loop); empty means "ask {@link #resolve}". Never throws.
     */
    default java.util.Optional<Repository> resolveInMemory(String name, Access access) {
        return java.util.Optional.empty();
    }

    /**
     * Whether {@code name} (a repository that holds content) may be listed in {@code /v2/_catalog}:
     * false for caches whose content only some clients may see.
     */
    default boolean listed(String name) {
        return true;
    }

    /** A plain registry: every name is a local repository. */
    static RepositoryResolver local(Registry registry) {
        return new RepositoryResolver() {
            @Override
            public Repository resolve(String name, Access access) {
                return registry.repository(io.hoard.model.RepositoryName.of(name));
            }

            @Override
            public java.util.Optional<Repository> resolveInMemory(String name, Access access) {
                try {
                    return java.util.Optional.of(resolve(name, access));
                } catch (io.hoard.model.RegistryException invalidName) {
                    return java.util.Optional.empty();
                }
            }
        };
    }
}
