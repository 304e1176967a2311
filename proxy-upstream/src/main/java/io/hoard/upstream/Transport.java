package io.hoard.upstream;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP exchange with an upstream, without following redirects: what {@link RegistryClient} and
 * {@link TokenCache} need, over the JDK client ({@link JdkTransport}: configured upstreams, HTTP
 * proxies) or plain sockets ({@link SocketTransport}: address-checked, and the fast blob path).
 */
interface Transport {

    /**
     * Sends the request and returns the answer with its body unread; the caller closes it.
     *
     * @throws AddressPolicy.RefusedAddressException when the policy forbids every address of the host
     * @throws IOException when no answer comes (refused, reset, timed out)
     */
    Response send(Request request) throws IOException, InterruptedException;

    /** A request: no body unless {@code body} is set; header names as they go on the wire. */
    record Request(String method, URI uri, Map<String, String> headers, byte @Nullable [] body, Duration timeout) {
    }

    /** An answer: status, headers (looked up case-insensitively) and the body as it arrives. */
    final class Response implements Closeable {
        private final int status;
        private final Map<String, List<String>> headers;
        private final InputStream body;

        /** @param headers header names in lower case */
        Response(int status, Map<String, List<String>> headers, InputStream body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        int status() {
            return status;
        }

        Optional<String> header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }

        List<String> headers(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        /** The Content-Length, or -1 when absent or malformed. */
        long contentLength() {
            try {
                return header("Content-Length").map(String::trim).map(Long::parseLong).orElse(-1L);
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        InputStream body() {
            return body;
        }

        /**
         * The whole body, at most {@code max} bytes: an upstream cannot make Hoard buffer more.
         *
         * @throws BodyTooLargeException past the cap
         */
        byte[] readBody(int max) throws IOException {
            try (InputStream in = body) {
                byte[] content = in.readNBytes(max + 1);
                if (content.length > max) {
                    throw new BodyTooLargeException(max);
                }
                return content;
            }
        }

        @Override
        public void close() {
            try {
                body.close();
            } catch (IOException e) {
                // the connection is dropped either way
            }
        }
    }

    /** An upstream body larger than Hoard buffers. */
    final class BodyTooLargeException extends IOException {
        BodyTooLargeException(int max) {
            super("the body is larger than " + max + " bytes");
        }
    }
}
