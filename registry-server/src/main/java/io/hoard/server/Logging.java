package io.hoard.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import io.hoard.config.LogConfig;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code log.level}, {@code log.formatter} and {@code log.fields} to Logback (the text
 * layout comes from logback.xml). Fields go on every line, text or JSON; JSON lines carry the
 * formatted message, not its template.
 */
final class Logging {
    private Logging() {
    }

    static void configure(LogConfig log) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(log.level().equals("warn") ? "WARN" : log.level().toUpperCase(), Level.INFO));
        log.fields().forEach(context::putProperty);
        if (log.formatter().equals("json") || log.formatter().equals("logstash")) {
            JsonEncoder encoder = new JsonEncoder();
            encoder.setContext(context);
            encoder.setWithFormattedMessage(true); // "formattedMessage": what happened, with its values
            encoder.setWithMessage(false);         // not the "{} failed" template
            encoder.setWithArguments(false);
            encoder.start();
            replaceConsole(context, root, encoder);
        } else if (!log.fields().isEmpty()) {
            PatternLayoutEncoder encoder = new PatternLayoutEncoder();
            encoder.setContext(context);
            encoder.setPattern(TEXT_PATTERN + fieldsSuffix(log.fields()) + "%n");
            encoder.start();
            replaceConsole(context, root, encoder);
        }
    }

    /** logback.xml's pattern, without its line end: the request id comes last, when there is one. */
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{20} %msg"
            + "%replace( request_id=%X{request_id}){' request_id=$', ''}";

    /** {@code " service=registry env=prod"}, escaped for a Logback pattern. */
    static String fieldsSuffix(java.util.Map<String, String> fields) {
        StringBuilder b = new StringBuilder();
        fields.forEach((k, v) -> b.append(' ').append(escape(k)).append('=').append(escape(v)));
        return b.toString();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("(", "\\(").replace(")", "\\)")
                .replaceAll("[\\r\\n]", " ");
    }

    private static void replaceConsole(LoggerContext context, ch.qos.logback.classic.Logger root,
            ch.qos.logback.core.encoder.Encoder<ILoggingEvent> encoder) {
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("console");
        appender.setEncoder(encoder);
        appender.start();
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
    }
}
