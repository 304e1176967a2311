package io.hoard.upstream;

import io.hoard.model.Digest;
import io.hoard.model.MediaTypes;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** {@code GET /v2/<name>/referrers/<digest>}: the index, or empty when the upstream has no referrers API (404). */
record ReferrersGet(String repository, Digest subject, @Nullable String artifactType) implements UpstreamCall<Optional<byte[]>> {

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public String path() {
        return "/v2/" + repository + "/referrers/" + subject
                + (artifactType == null ? "" : "?artifactType=" + URLEncoder.encode(artifactType, StandardCharsets.UTF_8));
    }

    @Override
    public String accept() {
        return MediaTypes.OCI_INDEX;
    }

    @Override
    public Optional<byte[]> handle(Transport.Response r, UpstreamAnswers answers) {
        if (r.status() != 200) {
            r.close();
            return Optional.empty();
        }
        return Optional.of(answers.read(r, TagListPage.MAX_BYTES, "the referrers of " + subject));
    }
}
