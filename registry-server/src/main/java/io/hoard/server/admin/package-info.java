/**
 * The admin API ({@code /hoard/api/v1/}): staging copies, pins and the cache's maintenance, for
 * operators and platforms. {@link io.hoard.server.admin.AdminApi} answers it,
 * {@link io.hoard.server.admin.AdminAccess} decides who may call it, and
 * {@link io.hoard.server.admin.AdminClient} is the CLI over it ({@code hoard copy}, {@code hoard pin}).
 */
@NullMarked
package io.hoard.server.admin;

import org.jspecify.annotations.NullMarked;
