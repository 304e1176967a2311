package io.hoard.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Over the JDK's HTTP client: for configured upstreams (honours HTTP proxy settings, pools connections). */
final class JdkTransport implements Transport {
    private final HttpClient http;

    JdkTransport(HttpClient http) {
        this.http = http;
    }

    @Override
    public Response send(Request request) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(request.uri()).timeout(request.timeout())
                .method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        request.headers().forEach(b::header);
        HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        Map<String, List<String>> headers = new LinkedHashMap<>();
        r.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        return new Response(r.statusCode(), headers, r.body());
    }
}
