/**
 * The HTTP side of the V2 API: routes, the per-connection handler, request bodies and responses.
 *
 * <p>Starting points: {@link io.hoard.server.http.Router} (the whole V2 surface as
 * {@link io.hoard.server.http.Route} records), {@link io.hoard.server.http.RegistryHandler}
 * (event loop side: one request at a time per connection, handed to a virtual thread),
 * {@link io.hoard.server.http.Exchange} (what a handler sees), {@link io.hoard.server.http.Responses}
 * (the only place that renders errors).
 */
@NullMarked
package io.hoard.server.http;

import org.jspecify.annotations.NullMarked;
