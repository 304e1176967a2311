package io.hoard.model;

import org.jspecify.annotations.Nullable;

/**
 * A failure with a V2 {@link ErrorCode} and a detail that says what exactly was wrong. Stores throw
 * it; the HTTP front end turns it into the V2 error body. The status is the code's unless the spec
 * asks for another one for this case (413 for an oversize manifest, 416 for an upload range).
 */
public final class RegistryException extends RuntimeException {
    private final ErrorCode code;
    private final int httpStatus;

    public RegistryException(ErrorCode code, String detail) {
        this(code, code.httpStatus(), detail, null);
    }

    public RegistryException(ErrorCode code, String detail, Throwable cause) {
        this(code, code.httpStatus(), detail, cause);
    }

    private RegistryException(ErrorCode code, int httpStatus, String detail, @Nullable Throwable cause) {
        super(detail, cause);
        this.code = code;
        this.httpStatus = httpStatus;
    }

    /** The same error answered with another HTTP status. */
    public RegistryException withStatus(int status) {
        return new RegistryException(code, status, detail(), getCause());
    }

    public ErrorCode code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** What exactly was wrong, for the {@code detail} field. */
    public String detail() {
        return java.util.Objects.requireNonNullElse(getMessage(), code.name());
    }
}
