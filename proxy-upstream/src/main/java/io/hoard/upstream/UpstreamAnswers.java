package io.hoard.upstream;

import io.hoard.model.Digest;
import io.hoard.model.RegistryException;
import java.io.IOException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading one upstream's answers: what every call checks, in that upstream's words for errors. */
final class UpstreamAnswers {
    private static final Pattern LEADING_NUMBER = Pattern.compile("^\\s*(\\d+)");

    private final String upstream;
    private final UpstreamStats stats;

    UpstreamAnswers(String upstream, UpstreamStats stats) {
        this.upstream = upstream;
        this.stats = stats;
    }

    String upstream() {
        return upstream;
    }

    UpstreamStats stats() {
        return stats;
    }

    /** Closes the response and fails unless it has {@code status}. */
    void expect(Transport.Response r, int status, String action) {
        if (r.status() != status) {
            r.close();
            throw protocol("answered " + r.status() + " to " + action);
        }
    }

    /** The body, at most {@code max} bytes; the response is closed. */
    byte[] read(Transport.Response r, int max, String what) {
        try (r) {
            return r.readBody(max);
        } catch (Transport.BodyTooLargeException e) {
            throw protocol("sent more than " + max + " bytes for " + what);
        } catch (IOException e) {
            throw failure("reading " + what, e);
        }
    }

    Digest digest(String text) {
        try {
            return Digest.parse(text.trim());
        } catch (RegistryException e) {
            throw protocol("sent an invalid digest: " + e.detail());
        }
    }

    UpstreamException protocol(String what) {
        return new UpstreamException(UpstreamException.Kind.PROTOCOL, upstream + " " + what);
    }

    UpstreamException failure(String action, IOException e) {
        stats.errors.increment();
        return new UpstreamException(UpstreamException.Kind.UNREACHABLE, upstream + ": failed " + action + ": " + e, e);
    }

    static String mediaType(String contentType) {
        return contentType.split(";", 2)[0].trim();
    }

    /** The total of {@code bytes a-b/total}; -1 when there is none. */
    static long totalOfContentRange(String header) {
        int slash = header.lastIndexOf('/');
        try {
            return slash < 0 ? -1 : Long.parseLong(header.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static Optional<Long> leadingNumber(String s) {
        Matcher m = LEADING_NUMBER.matcher(s);
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }
}
