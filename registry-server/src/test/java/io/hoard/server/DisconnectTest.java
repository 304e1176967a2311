package io.hoard.server;

import static io.hoard.server.TestRegistry.randomBytes;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.model.Digest;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Clients that vanish mid-request, and clients that pipeline, over raw sockets. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
final class DisconnectTest {
    private TestRegistry registry;
    private int port;

    @BeforeAll
    void start() throws Exception {
        registry = TestRegistry.inMemory("");
        port = registry.app.address().getPort();
    }

    @AfterAll
    void stop() {
        registry.close();
    }

    @Test
    void disconnectMidPatchKeepsServerAndStoresNoBlob() throws Exception {
        byte[] content = randomBytes(2_000_000, 1);
        String location = registry.startUpload("gone/patch");
        String path = URI.create(location).getRawPath();
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(("PATCH " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: " + content.length + "\r\n\r\n").getBytes(US_ASCII));
            out.write(content, 0, 300_000);
            out.flush();
        }
        assertThat(registry.get("/v2/").statusCode()).isEqualTo(200);
        Digest digest = Digest.sha256(content);
        assertThat(registry.head("/v2/gone/patch/blobs/" + digest).statusCode()).isEqualTo(404);
        // The session is still there, holding at most what arrived; the client can resume from its Range.
        waitForSessionRange(location);
        HttpResponse<byte[]> status = registry.get(location);
        assertThat(status.statusCode()).isEqualTo(204);
        long have = Long.parseLong(status.headers().firstValue("Range").orElseThrow().split("-")[1]) + 1;
        assertThat(have).isLessThanOrEqualTo(300_000);
        byte[] rest = Arrays.copyOfRange(content, have == 1 ? 0 : (int) have, content.length);
        String from = have == 1 ? "0" : Long.toString(have);
        HttpResponse<byte[]> resume = registry.send(registry.request(location)
                .header("Content-Range", from + "-" + (content.length - 1))
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofByteArray(rest)));
        assertThat(resume.statusCode()).isEqualTo(202);
        HttpResponse<byte[]> put = registry.send(registry.request(TestRegistry.withQuery(
                resume.headers().firstValue("Location").orElseThrow(), "digest=" + digest))
                .PUT(java.net.http.HttpRequest.BodyPublishers.noBody()));
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/gone/patch/blobs/" + digest).body()).isEqualTo(content);
    }

    private void waitForSessionRange(String location) throws Exception {
        // The server notices the disconnect asynchronously; give it a bounded moment.
        for (int i = 0; i < 50; i++) {
            HttpResponse<byte[]> status = registry.get(location);
            if (status.statusCode() == 204) {
                return;
            }
            Thread.sleep(20);
        }
    }

    @Test
    void truncatedMonolithicUploadStoresNothing() throws Exception {
        byte[] content = randomBytes(500_000, 2);
        Digest digest = Digest.sha256(content);
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v2/gone/mono/blobs/uploads/?digest=" + digest + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Length: " + content.length + "\r\n\r\n").getBytes(US_ASCII));
            out.write(content, 0, 100_000);
            out.flush();
        }
        Thread.sleep(200);
        assertThat(registry.head("/v2/gone/mono/blobs/" + digest).statusCode()).isEqualTo(404);
        assertThat(registry.get("/v2/").statusCode()).isEqualTo(200);
    }

    @Test
    void disconnectMidDownloadKeepsServing() throws Exception {
        byte[] content = randomBytes(8_000_000, 3);
        Digest digest = registry.pushBlob("gone/download", content);
        for (int i = 0; i < 3; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.getOutputStream().write(("GET /v2/gone/download/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\n\r\n")
                        .getBytes(US_ASCII));
                InputStream in = s.getInputStream();
                byte[] buf = new byte[65536];
                assertThat(in.readNBytes(buf, 0, buf.length)).isPositive();
            }
        }
        HttpResponse<byte[]> full = registry.get("/v2/gone/download/blobs/" + digest);
        assertThat(full.statusCode()).isEqualTo(200);
        assertThat(full.body()).isEqualTo(content);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        byte[] small = "pipelined".getBytes(US_ASCII);
        Digest digest = registry.pushBlob("pipe/line", small);
        try (Socket s = new Socket("127.0.0.1", port)) {
            String get = "GET /v2/pipe/line/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\n\r\n";
            String base = "GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n";
            s.getOutputStream().write((get + base + get + "GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(US_ASCII));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            s.getInputStream().transferTo(all);
            String text = all.toString(US_ASCII);
            assertThat(text.split("HTTP/1.1 200 OK", -1)).hasSize(5);
            int first = text.indexOf("pipelined");
            int braces = text.indexOf("{}");
            int second = text.indexOf("pipelined", first + 1);
            assertThat(first).isPositive().isLessThan(braces);
            assertThat(second).isGreaterThan(braces);
        }
    }

    @Test
    void brokenChunkedEncodingCommitsNothing() throws Exception {
        byte[] content = randomBytes(1000, 4);
        Digest digest = Digest.sha256(content);
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v2/gone/chunked/blobs/uploads/?digest=" + digest + " HTTP/1.1\r\nHost: x\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n100\r\n").getBytes(US_ASCII));
            out.write(content, 0, 256);
            out.write("\r\nZZZ-not-hex\r\n\r\n".getBytes(US_ASCII));
            out.flush();
            assertThat(s.getInputStream().readAllBytes()).as("connection closed without a success").asString(US_ASCII)
                    .doesNotContain("201");
        }
        assertThat(registry.head("/v2/gone/chunked/blobs/" + digest).statusCode()).isEqualTo(404);
        assertThat(registry.get("/v2/").statusCode()).isEqualTo(200);
    }

    @Test
    void garbageRequestGets400AndServerLives() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("NOT HTTP AT ALL\r\n\r\n".getBytes(US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 400");
        }
        assertThat(registry.get("/v2/").statusCode()).isEqualTo(200);
    }
}
