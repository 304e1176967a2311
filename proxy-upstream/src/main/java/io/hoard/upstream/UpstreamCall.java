package io.hoard.upstream;

import org.jspecify.annotations.Nullable;

/**
 * One V2 request to an upstream and how its answer becomes a result, as in Jib's registry client:
 * what to ask is here, how to ask (authentication, redirects, retries, the circuit breaker,
 * statistics) is {@link UpstreamCaller}'s. {@link #handle} sees every answer except the ones the
 * caller owns: challenges and refusals (401/403), 429 and 5xx.
 *
 * @param <T> what the call returns
 */
interface UpstreamCall<T> {

    String method();

    /** The path and query, {@code /v2/<name>/...}. */
    String path();

    /** The {@code Accept} header, if any. */
    default @Nullable String accept() {
        return null;
    }

    /** The {@code Range} header, if any. */
    default @Nullable String range() {
        return null;
    }

    /**
     * The result of the upstream's answer. Closes {@code response} unless the result holds its body.
     *
     * @throws UpstreamException when the answer is not one the call understands
     */
    T handle(Transport.Response response, UpstreamAnswers answers);
}
