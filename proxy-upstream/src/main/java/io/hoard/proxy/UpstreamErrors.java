package io.hoard.proxy;

import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.upstream.UpstreamException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an upstream failure into what the client is told: the upstream's name and the kind of
 * failure, in our words. The exception's own text — which may quote upstream bytes, addresses or
 * the JDK's messages — goes to the log only.
 */
final class UpstreamErrors {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamErrors.class);

    private UpstreamErrors() {
    }

    static RegistryException toClient(UpstreamException e, String what, ProxyTarget target) {
        String upstream = target.upstream().name();
        boolean clientCredentials = target.clientCredentials();
        LOG.info("{}: {}", what, e.getMessage());
        return switch (e.kind()) {
            case TOO_MANY_REQUESTS -> new RegistryException(ErrorCode.TOOMANYREQUESTS,
                    what + " is not cached and " + upstream + " is rate limiting");
            case UNAUTHORIZED -> clientCredentials
                    ? new RegistryException(ErrorCode.UNAUTHORIZED, what + ": " + upstream + " did not accept the "
                            + "credentials sent (or needs some)")
                    : new RegistryException(ErrorCode.DENIED, what + ": " + upstream + " refused access (the repository "
                            + "does not exist there, or needs other credentials)");
            case REFUSED_ADDRESS -> new RegistryException(ErrorCode.DENIED, what + ": " + upstream + " resolves to a "
                    + "non-public address, which upstreams named by clients may not use; an operator can list that exact "
                    + "host in proxy.allowedhosts");
            case UNREACHABLE -> new RegistryException(ErrorCode.UNAVAILABLE,
                    what + " is not cached and " + upstream + " cannot be reached");
            case SERVER_ERROR -> new RegistryException(ErrorCode.UNAVAILABLE,
                    what + " is not cached and " + upstream + " answered with a server error");
            case PROTOCOL -> new RegistryException(ErrorCode.UNAVAILABLE,
                    what + " is not cached and " + upstream + " sent an answer Hoard cannot use");
        };
    }
}
