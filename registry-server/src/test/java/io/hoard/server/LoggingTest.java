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

    private String logged(LogConfig config) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        Logging.configure(config);
        LoggerFactory.getLogger("io.hoard.test").info("hello {}", 42);
        System.out.flush();
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
