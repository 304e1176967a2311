package io.hoard.server.handlers;

import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.server.http.Exchange;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** {@code ?n=&last=} paging with an RFC 5988 {@code Link} header to the next page (distribution spec "Listing Tags"). */
record Pagination(int n, @Nullable String last) {
    private static final int MAX_LAST = 255;
    private static final java.util.regex.Pattern LAST = java.util.regex.Pattern.compile("[A-Za-z0-9._/-]+");

    /** Reads {@code n} (default and cap {@code max}) and {@code last}. */
    static Pagination of(Exchange exchange, int max) {
        String n = exchange.query("n").orElse(null);
        int count = max;
        if (n != null) {
            try {
                count = Integer.parseInt(n);
            } catch (NumberFormatException e) {
                count = -1;
            }
            if (count < 0) {
                throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID,
                        "n must be a non-negative whole number, not '" + n + "'");
            }
        }
        String last = exchange.query("last").filter(s -> !s.isEmpty()).orElse(null);
        if (last != null && (last.length() > MAX_LAST || !LAST.matcher(last).matches())) {
            // Tags and repository names are at most 255 characters of this alphabet, so nothing else can be a page boundary.
            throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, "last must be a tag or repository name "
                    + "(up to " + MAX_LAST + " characters of letters, digits, '_', '.', '-' and '/')");
        }
        return new Pagination(Math.min(count, max), last);
    }

    /** The page of {@code sorted} after {@code last}, and whether more follow. */
    List<String> page(List<String> sorted) {
        int from = 0;
        if (last != null) {
            while (from < sorted.size() && sorted.get(from).compareTo(last) <= 0) {
                from++;
            }
        }
        return sorted.subList(from, Math.min(sorted.size(), from + n));
    }

    /** Headers for a page: a Link to the next one when {@code more}. */
    Map<String, String> linkHeaders(String path, List<String> page, boolean more) {
        if (!more || page.isEmpty()) {
            return Map.of();
        }
        String next = "%s?last=%s&n=%d".formatted(path, URLEncoder.encode(page.get(page.size() - 1), StandardCharsets.UTF_8), n);
        return Map.of("Link", "<" + next + ">; rel=\"next\"");
    }
}
