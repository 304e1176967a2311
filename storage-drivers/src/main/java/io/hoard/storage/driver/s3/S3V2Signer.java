package io.hoard.storage.driver.s3;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.signer.Signer;
import software.amazon.awssdk.http.SdkHttpFullRequest;

/**
 * AWS signature version 2 for S3 ({@code v4auth: false}), for stores that predate version 4 (Riak
 * CS before 2.0). The SDK knows only version 4, so this plugs in as the client's signer:
 * {@code Authorization: AWS <key>:base64(hmac-sha1(secret, string-to-sign))} over the verb,
 * {@code Content-MD5}, {@code Content-Type}, {@code Date}, the {@code x-amz-} headers and the
 * resource with its sub-resources, as the S3 REST authentication documentation defines it.
 */
final class S3V2Signer implements Signer {
    /** The query parameters that are part of the signed resource. */
    private static final Set<String> SUBRESOURCES = Set.of("acl", "delete", "lifecycle", "location", "logging",
            "notification", "partNumber", "policy", "requestPayment", "torrent", "uploadId", "uploads", "versionId",
            "versioning", "versions", "website", "response-cache-control", "response-content-disposition",
            "response-content-encoding", "response-content-language", "response-content-type", "response-expires");
    private static final DateTimeFormatter RFC_1123 = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final AwsCredentialsProvider credentials;
    private final String bucket;
    private final boolean pathStyle;
    private final Clock clock;

    S3V2Signer(AwsCredentialsProvider credentials, String bucket, boolean pathStyle, Clock clock) {
        this.credentials = credentials;
        this.bucket = bucket;
        this.pathStyle = pathStyle;
        this.clock = clock;
    }

    /** Makes the client sign every request with version 2. */
    @SuppressWarnings("deprecation") // the legacy signer option is the SDK's one way to plug in a signer of another version
    static void install(ClientOverrideConfiguration.Builder o, AwsCredentialsProvider credentials, S3Settings settings) {
        o.putAdvancedOption(SdkAdvancedClientOption.SIGNER,
                new S3V2Signer(credentials, settings.bucket(), settings.pathStyle(), Clock.systemUTC()));
    }

    @Override
    public SdkHttpFullRequest sign(SdkHttpFullRequest request, ExecutionAttributes attributes) {
        AwsCredentials c = credentials.resolveCredentials();
        SdkHttpFullRequest.Builder b = request.toBuilder();
        b.removeHeader("x-amz-date");
        b.removeHeader("Authorization");
        if (c instanceof AwsSessionCredentials s) {
            b.putHeader("x-amz-security-token", s.sessionToken());
        }
        String date = RFC_1123.format(clock.instant());
        b.putHeader("Date", date);
        SdkHttpFullRequest dated = b.build();
        String toSign = dated.method().name() + "\n" + header(dated, "Content-MD5") + "\n" + header(dated, "Content-Type")
                + "\n" + date + "\n" + amzHeaders(dated.headers()) + resource(dated);
        return dated.toBuilder().putHeader("Authorization", "AWS " + c.accessKeyId() + ":" + hmac(c.secretAccessKey(), toSign))
                .build();
    }

    /** A query-string signed GET ({@code AWSAccessKeyId}, {@code Expires}, {@code Signature}). */
    static URL presign(S3Settings settings, AwsCredentials c, String key, Duration validity) {
        long expires = Clock.systemUTC().instant().plus(validity).getEpochSecond();
        String encodedKey = encodePath(key);
        String resource = "/" + settings.bucket() + "/" + encodedKey;
        String toSign = "GET\n\n\n" + expires + "\n" + resource;
        URI endpoint = settings.endpoint().orElseGet(() -> URI.create("https://s3." + settings.region() + ".amazonaws.com"));
        String base = endpoint.toString().replaceAll("/+$", "");
        String url = settings.pathStyle() ? base + resource
                : endpoint.getScheme() + "://" + settings.bucket() + "." + endpoint.getAuthority() + "/" + encodedKey;
        url += "?AWSAccessKeyId=" + query(c.accessKeyId()) + "&Expires=" + expires + "&Signature="
                + query(hmac(c.secretAccessKey(), toSign));
        if (c instanceof AwsSessionCredentials s) {
            url += "&x-amz-security-token=" + query(s.sessionToken());
        }
        try {
            return URI.create(url).toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    private String resource(SdkHttpFullRequest r) {
        String path = r.encodedPath().isEmpty() ? "/" : r.encodedPath();
        StringBuilder s = new StringBuilder();
        if (!pathStyle && r.host().startsWith(bucket + ".")) {
            s.append('/').append(bucket);
        }
        s.append(path);
        List<String> sub = new ArrayList<>();
        new TreeMap<>(r.rawQueryParameters()).forEach((name, values) -> {
            if (SUBRESOURCES.contains(name)) {
                String v = values.isEmpty() ? null : values.get(0);
                sub.add(v == null || v.isEmpty() ? name : name + "=" + v);
            }
        });
        if (!sub.isEmpty()) {
            s.append('?').append(String.join("&", sub));
        }
        return s.toString();
    }

    private static String amzHeaders(Map<String, List<String>> headers) {
        TreeMap<String, String> amz = new TreeMap<>();
        headers.forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("x-amz-")) {
                amz.put(lower, String.join(",", values).trim());
            }
        });
        StringBuilder s = new StringBuilder();
        amz.forEach((name, value) -> s.append(name).append(':').append(value).append('\n'));
        return s.toString();
    }

    private static String header(SdkHttpFullRequest r, String name) {
        return r.firstMatchingHeader(name).orElse("");
    }

    private static String hmac(String secret, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is unavailable", e);
        }
    }

    private static String query(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String encodePath(String key) {
        StringBuilder s = new StringBuilder();
        for (String segment : key.split("/", -1)) {
            if (!s.isEmpty() || key.startsWith("/")) {
                s.append('/');
            }
            s.append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return s.toString();
    }
}
