package io.hoard.server.handlers;

/**
 * Registry behaviour the handlers need from the configuration.
 *
 * @param deleteEnabled {@code storage.delete.enabled}
 * @param readOnly {@code storage.maintenance.readonly.enabled}: every write is refused
 * @param catalogMaxEntries {@code catalog.maxentries}
 */
public record HandlerSettings(boolean deleteEnabled, boolean readOnly, int catalogMaxEntries) {
}
