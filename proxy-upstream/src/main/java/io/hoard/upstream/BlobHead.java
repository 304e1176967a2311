package io.hoard.upstream;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import java.util.Optional;

/** {@code HEAD /v2/<name>/blobs/<digest>}: whether the repository has the blob, and its size. */
record BlobHead(String repository, Digest digest) implements UpstreamCall<Optional<Descriptor>> {

    @Override
    public String method() {
        return "HEAD";
    }

    @Override
    public String path() {
        return "/v2/" + repository + "/blobs/" + digest;
    }

    @Override
    public Optional<Descriptor> handle(Transport.Response r, UpstreamAnswers answers) {
        try (r) {
            if (r.status() == 404) {
                return Optional.empty();
            }
            answers.expect(r, 200, "HEAD blob " + repository + "@" + digest);
            long size = r.contentLength();
            if (size < 0) {
                throw answers.protocol("sent no Content-Length for blob " + digest);
            }
            return Optional.of(new Descriptor(digest, size, io.hoard.model.Descriptor.OCTET_STREAM));
        }
    }
}
