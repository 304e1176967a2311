package io.hoard.upstream;

import io.hoard.model.Descriptor;
import java.util.Optional;

/** {@code HEAD /v2/<name>/manifests/<reference>}: digest, size and media type (free of Docker Hub's pull limit). */
record ManifestHead(String repository, String reference) implements UpstreamCall<Optional<Descriptor>> {

    @Override
    public String method() {
        return "HEAD";
    }

    @Override
    public String path() {
        return "/v2/" + repository + "/manifests/" + reference;
    }

    @Override
    public String accept() {
        return ManifestGet.ACCEPT;
    }

    @Override
    public Optional<Descriptor> handle(Transport.Response r, UpstreamAnswers answers) {
        try (r) {
            if (r.status() == 404) {
                return Optional.empty();
            }
            answers.expect(r, 200, "HEAD manifest " + repository + ":" + reference);
            String digest = r.header("Docker-Content-Digest").orElseThrow(() -> answers.protocol(
                    "sent no Docker-Content-Digest for " + repository + ":" + reference));
            return Optional.of(new Descriptor(answers.digest(digest), Math.max(0, r.contentLength()),
                    UpstreamAnswers.mediaType(r.header("Content-Type").orElse(""))));
        }
    }
}
