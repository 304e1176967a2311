package io.hoard.server.registration;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoard.model.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** JSON over the JDK's HTTP client, for the registration backends' HTTP APIs. */
final class Http {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    record Answer(int status, JsonNode body) {
    }

    Answer send(String method, URI uri, Object body, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .method(method, body == NO_BODY ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
        headers.forEach(request::header);
        HttpResponse<byte[]> r = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        JsonNode json;
        try {
            json = r.body().length == 0 ? Json.MAPPER.nullNode() : Json.MAPPER.readTree(r.body());
        } catch (IOException notJson) {
            json = Json.MAPPER.getNodeFactory().textNode(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return new Answer(r.statusCode(), json);
    }

    /** Marks a request without a body. */
    static final Object NO_BODY = new Object();
}
