package io.hoard.config;

/** {@code catalog.maxentries}: the most repositories one {@code _catalog} page returns. */
public record CatalogConfig(int maxEntries) {
}
