/**
 * Value types of the registry's content model: no I/O here.
 *
 * <p>Starting points: {@link io.hoard.model.Digest}, {@link io.hoard.model.RepositoryName},
 * {@link io.hoard.model.Reference}, {@link io.hoard.model.ErrorCode} and
 * {@link io.hoard.model.RegistryException}, the one error vocabulary of every layer.
 */
@NullMarked
package io.hoard.model;

import org.jspecify.annotations.NullMarked;
