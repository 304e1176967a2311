package io.hoard.upstream;

import io.hoard.model.Digest;
import io.hoard.model.DigestAlgorithm;
import io.hoard.model.MediaTypes;
import java.util.Optional;

/**
 * {@code GET /v2/<name>/manifests/<reference>}: the bytes, at most {@code maxBytes}; the digest is
 * computed from them, and an announced digest that differs is an error.
 */
record ManifestGet(String repository, String reference, int maxBytes) implements UpstreamCall<Optional<UpstreamManifest>> {
    static final String ACCEPT = String.join(", ", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST,
            MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST);

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public String path() {
        return "/v2/" + repository + "/manifests/" + reference;
    }

    @Override
    public String accept() {
        return ACCEPT;
    }

    @Override
    public Optional<UpstreamManifest> handle(Transport.Response r, UpstreamAnswers answers) {
        if (r.status() == 404) {
            r.close();
            return Optional.empty();
        }
        String what = "manifest " + repository + ":" + reference;
        answers.expect(r, 200, "GET " + what);
        String declared = r.header("Docker-Content-Digest").orElse(null);
        String contentType = r.header("Content-Type").orElse("");
        byte[] content = answers.read(r, maxBytes, what);
        answers.stats().bytes.add(content.length);
        Digest digest = Digest.of(declared == null ? DigestAlgorithm.SHA256 : answers.digest(declared).algorithm(), content);
        if (declared != null && !digest.toString().equals(declared.trim())) {
            throw answers.protocol("sent " + what + " whose digest is " + digest + ", not the one it announced");
        }
        return Optional.of(new UpstreamManifest(content, UpstreamAnswers.mediaType(contentType), digest));
    }
}
