package io.hoard.storage;

/** Where a repository's content comes from, when a registry also caches upstreams. */
public enum Origin {
    /** Nothing is recorded (a plain registry, or a name never used). */
    UNKNOWN,
    /** Pushed to this registry: served only from what was pushed. */
    LOCAL,
    /** Filled from an upstream. */
    CACHED
}
