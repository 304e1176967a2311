package io.hoard.storage;

import io.hoard.model.RepositoryName;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The whole registry: its repositories and their catalog. */
public interface Registry {

    /** The repository named {@code name}; it need not exist yet (pushing creates it). */
    Repository repository(RepositoryName name);

    /**
     * Up to {@code n} repository names that hold content, in lexical order, starting after
     * {@code last} (exclusive) when it is not null.
     */
    List<String> catalog(int n, @Nullable String last);
}
