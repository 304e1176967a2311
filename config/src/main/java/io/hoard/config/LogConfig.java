package io.hoard.config;

import java.util.Map;

/** {@code log}: level (error, warn, info, debug), formatter (text, json, logstash), fields added to every line. */
public record LogConfig(String level, String formatter, Map<String, String> fields, boolean accessLogDisabled) {
}
