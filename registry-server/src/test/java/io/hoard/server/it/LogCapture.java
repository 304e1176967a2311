package io.hoard.server.it;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/** Everything logged in this JVM (application and access log) while it is open. */
public final class LogCapture implements AutoCloseable {
    private static final String[] LOGGERS = {org.slf4j.Logger.ROOT_LOGGER_NAME, "io.hoard.access"};
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogCapture() {
        appender.start();
        for (String name : LOGGERS) {
            ((Logger) LoggerFactory.getLogger(name)).addAppender(appender);
        }
    }

    /** The formatted messages so far, one per line. */
    public String text() {
        synchronized (appender.list) {
            return String.join("\n", appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
        }
    }

    @Override
    public void close() {
        for (String name : LOGGERS) {
            ((Logger) LoggerFactory.getLogger(name)).detachAppender(appender);
        }
    }
}
