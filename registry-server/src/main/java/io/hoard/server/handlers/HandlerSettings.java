package io.hoard.server.handlers;

/**
 * Registry behaviour the handlers need from the configuration.
 *
 * @param deleteEnabled {@code storage.delete.enabled}
 * @param readOnly {@code storage.maintenance.readonly.enabled}: every write is refused
 * @param catalogMaxEntries {@code catalog.maxentries}
 * @param redirects not {@code storage.redirect.disable}, and the storage driver offers URLs (s3):
 *        blob GETs answer 307 to the store's own URL (other drivers never ask for one)
 */
public record HandlerSettings(boolean deleteEnabled, boolean readOnly, int catalogMaxEntries, boolean redirects) {
}
