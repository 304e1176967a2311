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
     * Whether {@code name} (a repository that holds content) may be listed in {@code /v2/_catalog}:
     * false for caches whose content only some clients may see.
     */
    default boolean listed(String name) {
        return true;
    }

    /** A plain registry: every name is a local repository. */
    static RepositoryResolver local(Registry registry) {
        return (name, access) -> registry.repository(io.hoard.model.RepositoryName.of(name));
    }
}
