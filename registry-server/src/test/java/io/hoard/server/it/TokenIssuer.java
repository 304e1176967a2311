package io.hoard.server.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hoard.upstream.Credentials;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The token service of a distribution behind {@code auth.token}: issues RS256 JWTs carrying the
 * signing certificate in {@code x5c}, for the users it knows, and counts what it is asked for.
 */
public final class TokenIssuer implements AutoCloseable {
    public static final String SERVICE = "hoard-test-registry";
    public static final String ISSUER = "hoard-test-issuer";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final PrivateKey key;
    private final String certificateDer;
    private final Path certificate;
    private final Map<String, String> users;
    private final Map<String, AtomicInteger> requestsByUser = new ConcurrentHashMap<>();
    private volatile boolean postOnly;
    private final AtomicInteger posts = new AtomicInteger();

    private TokenIssuer(HttpServer server, PrivateKey key, String certificateDer, Path certificate, Map<String, String> users) {
        this.server = server;
        this.key = key;
        this.certificateDer = certificateDer;
        this.certificate = certificate;
        this.users = users;
    }

    /** Starts an issuer that knows {@code users} (name → password). */
    public static TokenIssuer start(Path dir, Map<String, String> users) throws Exception {
        Command.require("openssl");
        Files.createDirectories(dir);
        Path keyFile = dir.resolve("issuer.key");
        Path certFile = dir.resolve("issuer.crt");
        Command.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + ISSUER,
                "-keyout", keyFile.toString(), "-out", certFile.toString()).run().orFail("openssl");
        String pem = Files.readString(keyFile).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        byte[] der;
        try (var in = Files.newInputStream(certFile)) {
            der = CertificateFactory.getInstance("X.509").generateCertificate(in).getEncoded();
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        TokenIssuer issuer = new TokenIssuer(server, key, Base64.getEncoder().encodeToString(der), certFile, Map.copyOf(users));
        server.createContext("/token", issuer::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return issuer;
    }

    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** Refuse GET token requests (405), as some token services do: clients must use the OAuth2 POST form. */
    public void postOnly(boolean on) {
        postOnly = on;
    }

    /** Token requests made with the OAuth2 password grant (POST). */
    public int posts() {
        return posts.get();
    }

    public Path certificate() {
        return certificate;
    }

    /** Token requests made with this user's credentials ("" for anonymous ones). */
    public int requests(String user) {
        return requestsByUser.getOrDefault(user, new AtomicInteger()).get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Credentials who = Credentials.fromBasicHeader(exchange.getRequestHeaders().getFirst("Authorization"));
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            if (exchange.getRequestMethod().equals("POST")) {
                posts.incrementAndGet();
                query = query(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                if (query.containsKey("username")) {
                    who = new Credentials(query.get("username"), query.getOrDefault("password", ""));
                }
            } else if (postOnly) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            requestsByUser.computeIfAbsent(who.username(), u -> new AtomicInteger()).incrementAndGet();
            if (!who.isAnonymous() && !who.password().equals(users.get(who.username()))) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            byte[] body = JSON.writeValueAsBytes(Map.of("token", jwt(who, query.getOrDefault("scope", "")),
                    "access_token", jwt(who, query.getOrDefault("scope", "")), "expires_in", 300));
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        } catch (Exception e) {
            exchange.sendResponseHeaders(500, -1);
        }
    }

    /** A token for {@code user} granting {@code scope} ({@code repository:<name>:pull}), valid for {@code ttl}. */
    public String mint(String user, String scope, java.time.Duration ttl) throws Exception {
        return jwt(new Credentials(user, "-"), scope, ttl.toSeconds());
    }

    private String jwt(Credentials who, String scope) throws Exception {
        return jwt(who, scope, 300);
    }

    private String jwt(Credentials who, String scope, long ttlSeconds) throws Exception {
        ObjectNode header = JSON.createObjectNode().put("typ", "JWT").put("alg", "RS256");
        header.putArray("x5c").add(certificateDer);
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = JSON.createObjectNode().put("iss", ISSUER).put("sub", who.username()).put("aud", SERVICE)
                .put("exp", now + ttlSeconds).put("nbf", now - 10).put("iat", now).put("jti", UUID.randomUUID().toString());
        ArrayNode access = claims.putArray("access");
        String[] parts = scope.split(":");
        if (!who.isAnonymous() && parts.length == 3 && parts[0].equals("repository")) {
            ObjectNode grant = access.addObject().put("type", "repository").put("name", parts[1]);
            ArrayNode actions = grant.putArray("actions");
            for (String a : parts[2].split(",")) {
                actions.add(a);
            }
        }
        String signingInput = b64(JSON.writeValueAsBytes(header)) + "." + b64(JSON.writeValueAsBytes(claims));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64(rsa.sign());
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    q.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
