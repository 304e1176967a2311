package io.hoard.upstream;

import io.hoard.model.Digest;
import java.io.IOException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /v2/<name>/blobs/<digest>} from {@code offset} (a {@code Range} request when resuming):
 * the body as a stream, which the caller verifies. An upstream that ignores the range is read past
 * what we have.
 */
record BlobGet(String repository, Digest digest, long offset) implements UpstreamCall<Optional<BlobStream>> {

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public String path() {
        return "/v2/" + repository + "/blobs/" + digest;
    }

    @Override
    public String accept() {
        return "*/*";
    }

    @Override
    public @Nullable String range() {
        return offset > 0 ? "bytes=" + offset + "-" : null;
    }

    @Override
    public Optional<BlobStream> handle(Transport.Response r, UpstreamAnswers answers) {
        if (r.status() == 404) {
            r.close();
            return Optional.empty();
        }
        if (offset > 0 && r.status() == 206) {
            long total = r.header("Content-Range").map(UpstreamAnswers::totalOfContentRange).orElse(-1L);
            if (total < 0) {
                r.close();
                throw answers.protocol("sent a 206 without Content-Range");
            }
            return Optional.of(new BlobStream(total, offset, r.body()));
        }
        answers.expect(r, 200, "GET blob " + repository + "@" + digest);
        if (offset > 0) {
            try {
                r.body().skipNBytes(offset);
            } catch (IOException e) {
                r.close();
                throw answers.failure("skipping to offset " + offset + " of blob " + digest, e);
            }
        }
        return Optional.of(new BlobStream(r.contentLength(), offset, r.body()));
    }

    /**
     * The answer when it is the plain common case — a 200 (or the 206 asked for) with a
     * Content-Length and no transfer coding — else empty, and the response is closed: the fast path
     * ({@link UpstreamCaller#callDirect}) leaves everything else to the full client.
     */
    Optional<BlobStream> handleSimple(Transport.Response r) {
        long length = r.contentLength();
        boolean simple = length >= 0 && r.headers("Transfer-Encoding").isEmpty();
        if (simple && offset > 0 && r.status() == 206) {
            long total = r.header("Content-Range").map(UpstreamAnswers::totalOfContentRange).orElse(-1L);
            if (total >= 0) {
                return Optional.of(new BlobStream(total, offset, r.body()));
            }
        } else if (simple && offset == 0 && r.status() == 200) {
            return Optional.of(new BlobStream(length, 0, r.body()));
        }
        r.close();
        return Optional.empty();
    }
}
