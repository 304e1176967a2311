package io.hoard.server;

import static io.hoard.server.TestRegistry.randomBytes;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hoard.model.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Stopping the registry lets a download in flight finish and refuses new connections. */
@Timeout(60)
final class GracefulShutdownTest {

    @Test
    void downloadInFlightCompletesDuringShutdown(@TempDir Path root) throws Exception {
        byte[] content = randomBytes(24_000_000, 1);
        TestRegistry registry = TestRegistry.filesystem(root, "");
        int port = registry.app.address().getPort();
        Digest digest = registry.pushBlob("shutdown/app", content);
        CompletableFuture<Void> stopped;
        byte[] received;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setReceiveBufferSize(64 * 1024);
            s.getOutputStream().write(("GET /v2/shutdown/app/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[64 * 1024];
            all.write(buf, 0, in.read(buf));
            stopped = CompletableFuture.runAsync(registry::close);
            Thread.sleep(200);
            assertThat(stopped).as("close waits for the download").isNotDone();
            for (int n; (n = in.read(buf)) >= 0; ) {
                all.write(buf, 0, n);
                if (all.size() < 4_000_000) {
                    Thread.sleep(1); // a slow reader at first
                }
            }
            byte[] response = all.toByteArray();
            int bodyStart = indexOf(response, "\r\n\r\n".getBytes(US_ASCII)) + 4;
            received = Arrays.copyOfRange(response, bodyStart, response.length);
        }
        stopped.get();
        assertThat(Digest.sha256(received)).isEqualTo(digest);
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    private static int indexOf(byte[] haystack, byte[] needle) throws IOException {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IOException("no header end");
    }
}
