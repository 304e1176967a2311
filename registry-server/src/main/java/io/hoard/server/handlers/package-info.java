/**
 * One class per V2 resource; each method is plain blocking Java over the storage interfaces and
 * answers through {@link io.hoard.server.http.Exchange}.
 *
 * <p>Starting points: {@link io.hoard.server.handlers.RegistryDispatcher} (route to handler),
 * {@link io.hoard.server.handlers.UploadHandler} (the push protocol), {@link io.hoard.server.handlers.BlobHandler}
 * (ranges), {@link io.hoard.server.handlers.ManifestHandler} (content negotiation).
 */
@NullMarked
package io.hoard.server.handlers;

import org.jspecify.annotations.NullMarked;
