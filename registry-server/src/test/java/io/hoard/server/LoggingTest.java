package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import io.hoard.config.LogConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** {@code log.fields} on every line, text or JSON; JSON lines with the formatted message. */
final class LoggingTest {
    private final PrintStream original = System.out;

    @AfterEach
    void restore() throws Exception {
        System.setOut(original);
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    @Test
    void fieldsAppearInTextLines() {
        String out = logged(new LogConfig("info", "text", Map.of("service", "registry"), false));
        assertThat(out).contains("hello 42").contains("service=registry");
    }

    @Test
    void jsonLinesCarryTheFormattedMessageAndTheFields() {
        String out = logged(new LogConfig("info", "json", Map.of("service", "registry"), false));
        assertThat(out).contains("\"formattedMessage\":\"hello 42\"").doesNotContain("hello {}").contains("\"service\":\"registry\"");
    }

    @Test
    void everyLineAboutARequestCarriesItsIdAsTheResponseDoes() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        Logging.configure(new LogConfig("info", "text", Map.of("service", "registry"), false));
        ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("io.hoard.access")
                .setLevel(ch.qos.logback.classic.Level.INFO); // logback-test.xml keeps it quiet
        java.net.http.HttpResponse<byte[]> r;
        try (TestRegistry registry = TestRegistry.inMemory("")) {
            r = registry.get("/v2/");
            Thread.sleep(200); // the access line is written once the response is out
        }
        String id = r.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).matches("[0-9a-f]{16}");
        String line = buffer.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("\"GET /v2/\""))
                .findFirst().orElseThrow();
        assertThat(line).contains("request_id=" + id).contains("service=registry");
        assertThat(buffer.toString(StandardCharsets.UTF_8)).doesNotContain("request_id= ").doesNotContain("request_id=\n");

        buffer.reset();
        Logging.configure(new LogConfig("info", "json", Map.of(), false));
        try (TestRegistry registry = TestRegistry.inMemory("")) {
            r = registry.get("/v2/");
            Thread.sleep(200);
        }
        assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("\"request_id\":\""
                + r.headers().firstValue("X-Request-Id").orElseThrow() + "\"");
    }

    private String logged(LogConfig config) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        Logging.configure(config);
        LoggerFactory.getLogger("io.hoard.test").info("hello {}", 42);
        System.out.flush();
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
