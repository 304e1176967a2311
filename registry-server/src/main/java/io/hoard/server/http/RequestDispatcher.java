package io.hoard.server.http;

/** Runs the handler for a matched route, on a virtual thread; it may block. */
@FunctionalInterface
public interface RequestDispatcher {
    /**
     * Handles the request and answers it through {@code exchange}. A thrown
     * {@link io.hoard.model.RegistryException} is answered as a V2 error; a
     * {@link ClientGoneException} closes the connection.
     */
    void dispatch(Route route, Exchange exchange) throws Exception;
}
