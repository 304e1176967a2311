package io.hoard.model;

/**
 * The error codes of the OCI distribution spec (and Docker Registry HTTP API V2), each with the HTTP
 * status it is answered with and the spec's message. {@code Responses.sendError} in the server is
 * the only place that renders them as {@code {"errors":[{"code","message","detail"}]}}.
 */
public enum ErrorCode {
    BLOB_UNKNOWN(404, "blob unknown to registry"),
    BLOB_UPLOAD_INVALID(400, "blob upload invalid"),
    BLOB_UPLOAD_UNKNOWN(404, "blob upload unknown to registry"),
    DIGEST_INVALID(400, "provided digest did not match uploaded content"),
    MANIFEST_BLOB_UNKNOWN(404, "manifest references a manifest or blob unknown to registry"),
    MANIFEST_INVALID(400, "manifest invalid"),
    MANIFEST_UNKNOWN(404, "manifest unknown to registry"),
    NAME_INVALID(400, "invalid repository name"),
    NAME_UNKNOWN(404, "repository name not known to registry"),
    SIZE_INVALID(400, "provided length did not match content length"),
    TAG_INVALID(400, "manifest tag did not match URI"),
    PAGINATION_NUMBER_INVALID(400, "invalid number of results requested"),
    RANGE_INVALID(416, "invalid content range"),
    UNAUTHORIZED(401, "authentication required"),
    DENIED(403, "requested access to the resource is denied"),
    NOT_FOUND(404, "no such route in the registry API"),
    /** Not in the spec: a request malformed in a way no spec code describes (a bad query escape). */
    BAD_REQUEST(400, "malformed request"),
    UNSUPPORTED(405, "the operation is unsupported"),
    TOOMANYREQUESTS(429, "too many requests"),
    UNKNOWN(500, "unknown error"),
    UNAVAILABLE(503, "service unavailable");

    private final int httpStatus;
    private final String message;

    ErrorCode(int httpStatus, String message) {
        this.httpStatus = httpStatus;
        this.message = message;
    }

    /** The HTTP status this code is answered with unless a {@link RegistryException} overrides it. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The spec's short message for this code. */
    public String message() {
        return message;
    }
}
