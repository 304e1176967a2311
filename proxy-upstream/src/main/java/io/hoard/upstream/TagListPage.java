package io.hoard.upstream;

import io.hoard.model.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One page of {@code GET /v2/<name>/tags/list}: its tags and the next page's path from the
 * {@code Link} header. The page is at most {@link #MAX_BYTES}.
 */
record TagListPage(String repository, String path) implements UpstreamCall<Optional<TagListPage.Page>> {
    /** The most bytes of one page that are buffered (distribution's manifest cap). */
    static final int MAX_BYTES = 4 * 1024 * 1024;
    private static final Pattern LINK_NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

    /** A page's tags, and the path of the next page if there is one. */
    record Page(List<String> tags, @Nullable String next) {
    }

    static TagListPage first(String repository) {
        return new TagListPage(repository, "/v2/" + repository + "/tags/list");
    }

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public String accept() {
        return "application/json";
    }

    @Override
    public Optional<Page> handle(Transport.Response r, UpstreamAnswers answers) {
        if (r.status() == 404) {
            r.close();
            return Optional.empty();
        }
        answers.expect(r, 200, "GET tags of " + repository);
        String next = r.header("Link").map(LINK_NEXT::matcher).filter(Matcher::find).map(m -> m.group(1)).orElse(null);
        byte[] body = answers.read(r, MAX_BYTES, "the tag list of " + repository);
        List<String> tags = new ArrayList<>();
        try {
            Json.MAPPER.readTree(body).path("tags").forEach(t -> tags.add(t.asText()));
        } catch (IOException e) {
            throw answers.protocol("sent an invalid tag list");
        }
        return Optional.of(new Page(tags, next));
    }
}
