package io.hoard.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go's {@code time.ParseDuration} format, as distribution's config uses: {@code 10s}, {@code 168h}, {@code 1h30m}, {@code 1.5h}. */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");

    private Durations() {
    }

    /** Parses a duration; a bare integer is nanoseconds, as Go's YAML decoding reads it. */
    public static Duration parse(String text) {
        String s = text.trim();
        if (s.matches("\\d+")) {
            return Duration.ofNanos(Long.parseLong(s));
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        Matcher m = PART.matcher(s);
        int at = 0;
        double nanos = 0;
        while (at < s.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("'" + text + "' is not a duration such as 10s, 5m, 168h or 1h30m");
            }
            nanos += Double.parseDouble(m.group(1)) * unitNanos(m.group(2));
            at = m.end();
        }
        return Duration.ofNanos((long) nanos);
    }

    /** Formats a duration the way it is written in config.yml. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        if (d.toNanos() % 3_600_000_000_000L == 0) {
            return d.toHours() + "h";
        }
        if (d.toNanos() % 60_000_000_000L == 0) {
            return d.toMinutes() + "m";
        }
        if (d.toNanos() % 1_000_000_000L == 0) {
            return d.toSeconds() + "s";
        }
        return d.toMillis() + "ms";
    }

    private static double unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1;
            case "us", "µs", "μs" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            case "h" -> 3600e9;
            default -> throw new IllegalArgumentException("unknown unit " + unit);
        };
    }
}
