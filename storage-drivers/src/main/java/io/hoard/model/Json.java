package io.hoard.model;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The one Jackson mapper for reading and writing JSON documents (thread-safe once configured). */
public final class Json {
    /** Default settings: what Hoard writes, and lenient reading of what upstreams and tokens send. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }
}
