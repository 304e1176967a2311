/**
 * Client authentication ({@code auth.htpasswd}): who may pull and push, and Hoard's own tokens.
 *
 * <p>Starting points: {@link io.hoard.server.auth.AccessControl} (the one check every route passes:
 * Basic credentials or a bearer token against the resource and action, and the challenge to send),
 * {@link io.hoard.server.auth.Htpasswd} (bcrypt entries, reloaded when the file changes, verified
 * passwords remembered as hashes), {@link io.hoard.server.auth.TokenService} (HMAC-signed tokens
 * for {@code anonymouspull}, carrying their {@link io.hoard.server.auth.Scope}s).
 */
@NullMarked
package io.hoard.server.auth;

import org.jspecify.annotations.NullMarked;
