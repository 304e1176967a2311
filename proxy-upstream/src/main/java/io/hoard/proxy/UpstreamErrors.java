package io.hoard.proxy;

import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.upstream.UpstreamException;

/** Turns an upstream failure into what the client is told. */
final class UpstreamErrors {
    private UpstreamErrors() {
    }

    static RegistryException toClient(UpstreamException e, String what, boolean clientCredentials) {
        return switch (e.kind()) {
            case TOO_MANY_REQUESTS -> new RegistryException(ErrorCode.TOOMANYREQUESTS,
                    what + " is not cached and the upstream is rate limiting: " + e.getMessage());
            case UNAUTHORIZED -> clientCredentials
                    ? new RegistryException(ErrorCode.UNAUTHORIZED, what + ": " + e.getMessage())
                    : new RegistryException(ErrorCode.DENIED, what + ": the upstream refused access (the repository does "
                            + "not exist there, or needs other credentials): " + e.getMessage());
            case UNREACHABLE, SERVER_ERROR, PROTOCOL -> new RegistryException(ErrorCode.UNAVAILABLE,
                    what + " is not cached and the upstream is unavailable: " + e.getMessage());
        };
    }
}
