package io.hoard.storage;

/** What a repository links content as: a layer (or config) blob, or a manifest revision. */
public enum LinkKind { BLOB, MANIFEST }
