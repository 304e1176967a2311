package io.hoard.server.handlers;

/**
 * One handler per resource, built by the composition root ({@code RegistryApp}) and routed to by
 * {@link RegistryDispatcher}.
 */
public record Handlers(CatalogHandler catalog, TagsHandler tags, ManifestHandler manifests, BlobHandler blobs,
        UploadHandler uploads, ReferrersHandler referrers, PeerFillHandler peerFills,
        io.hoard.server.admin.AdminApi admin) {
}
