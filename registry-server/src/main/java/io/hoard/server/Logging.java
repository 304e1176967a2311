package io.hoard.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import io.hoard.config.LogConfig;
import org.slf4j.LoggerFactory;

/** Applies {@code log.level} and {@code log.formatter} to Logback (text comes from logback.xml). */
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
            ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
            appender.setContext(context);
            appender.setName("json");
            JsonEncoder encoder = new JsonEncoder();
            encoder.setContext(context);
            encoder.start();
            appender.setEncoder(encoder);
            appender.start();
            root.detachAndStopAllAppenders();
            root.addAppender(appender);
        }
    }
}
