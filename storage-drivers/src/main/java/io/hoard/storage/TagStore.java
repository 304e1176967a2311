package io.hoard.storage;

import io.hoard.model.Digest;
import java.util.List;
import java.util.Optional;

/** The tags of one repository. All methods throw {@link io.hoard.model.RegistryException}. */
public interface TagStore {

    /** The digest the tag points at. */
    Optional<Digest> get(String tag);

    /**
     * The tag's digest when memory alone can say (no storage or upstream call, so it may be asked
     * from an event loop); empty means "ask {@link #get}", not "absent".
     */
    default Optional<Digest> getInMemory(String tag) {
        return Optional.empty();
    }

    /** Points {@code tag} at {@code digest}, replacing what it pointed at. */
    void tag(String tag, Digest digest);

    /**
     * Removes the tag (the manifest stays).
     *
     * @throws io.hoard.model.RegistryException {@code MANIFEST_UNKNOWN} when there is no such tag
     */
    void untag(String tag);

    /** Every tag, in lexical order. */
    List<String> list();
}
