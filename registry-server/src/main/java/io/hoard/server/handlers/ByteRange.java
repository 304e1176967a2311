package io.hoard.server.handlers;

import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A single byte range of a {@code Range: bytes=...} header (RFC 9110 §14.1.2), resolved against
 * the content length: {@code start} and {@code end} are inclusive.
 */
record ByteRange(long start, long end) {
    private static final Pattern SPEC = Pattern.compile("\\s*(\\d*)\\s*-\\s*(\\d*)\\s*");

    long length() {
        return end - start + 1;
    }

    String contentRange(long size) {
        return "bytes " + start + "-" + end + "/" + size;
    }

    /**
     * The range {@code header} asks for in content of {@code size} bytes, or empty when the whole
     * content should be sent (no header, or several ranges, which RFC 9110 lets a server ignore).
     *
     * @throws RegistryException {@code RANGE_INVALID} (416) for a malformed or unsatisfiable range
     */
    static Optional<ByteRange> parse(@Nullable String header, long size) {
        if (header == null) {
            return Optional.empty();
        }
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
            throw invalid(header, size, "only 'bytes=' ranges are supported");
        }
        String specs = h.substring(6);
        if (specs.contains(",")) {
            return Optional.empty();
        }
        Matcher m = SPEC.matcher(specs);
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            throw invalid(header, size, "expected bytes=<first>-<last>, bytes=<first>- or bytes=-<suffix length>");
        }
        try {
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                if (suffix == 0 || size == 0) {
                    throw invalid(header, size, "the range selects no bytes");
                }
                return Optional.of(new ByteRange(Math.max(0, size - suffix), size - 1));
            }
            long start = Long.parseLong(m.group(1));
            long end = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
            if (start >= size || (!m.group(2).isEmpty() && Long.parseLong(m.group(2)) < start)) {
                throw invalid(header, size, "the range is outside the content");
            }
            return Optional.of(new ByteRange(start, end));
        } catch (NumberFormatException e) {
            throw invalid(header, size, "the numbers are too large");
        }
    }

    private static RegistryException invalid(String header, long size, String why) {
        return new RegistryException(ErrorCode.RANGE_INVALID,
                "invalid Range '%s' for content of %d bytes: %s".formatted(
                        header.length() > 100 ? header.substring(0, 100) + "..." : header, size, why));
    }
}
