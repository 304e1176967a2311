package io.hoard.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A strict view of one YAML mapping: every key a binder reads is marked as known, and
 * {@link #finish()} rejects the rest, naming the key's full path and its line (or the environment
 * variable it came from). A key with an empty value ({@code username:}) reads as absent.
 */
final class Section {
    private final String path;
    private final @Nullable MappingNode node;
    private final Map<Node, String> origins;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    private final Set<String> known = new LinkedHashSet<>();

    Section(String path, @Nullable MappingNode node, Map<Node, String> origins) {
        this.path = path;
        this.node = node;
        this.origins = origins;
        if (node != null) {
            for (NodeTuple t : node.getValue()) {
                String key = scalarKey(t.getKeyNode());
                if (entries.put(key, t) != null) {
                    throw new ConfigException("configuration key '%s' is given twice (%s)".formatted(child(key),
                            where(t.getKeyNode())));
                }
            }
        }
    }

    /** An empty section (the key was absent). */
    static Section empty(String path) {
        return new Section(path, null, new IdentityHashMap<>());
    }

    String path() {
        return path;
    }

    boolean isPresent() {
        return node != null;
    }

    boolean has(String key) {
        known.add(key);
        return value(key) != null;
    }

    Set<String> keys() {
        return entries.keySet();
    }

    Optional<String> string(String key) {
        Node v = value(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof ScalarNode s)) {
            throw error(key, v, "must be a single value");
        }
        return Optional.of(s.getValue());
    }

    String string(String key, String defaultValue) {
        return string(key).orElse(defaultValue);
    }

    boolean bool(String key, boolean defaultValue) {
        Node v = value(key);
        Optional<String> s = string(key);
        if (s.isEmpty()) {
            return defaultValue;
        }
        return switch (s.get().toLowerCase()) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error(key, v, "must be true or false, not '" + s.get() + "'");
        };
    }

    int integer(String key, int defaultValue) {
        Node v = value(key);
        Optional<String> s = string(key);
        try {
            return s.map(Integer::parseInt).orElse(defaultValue);
        } catch (NumberFormatException e) {
            throw error(key, v, "must be a whole number, not '" + s.get() + "'");
        }
    }

    /** A size in bytes: a whole number, optionally with a binary suffix ({@code 512k}, {@code 16GiB}, {@code 2t}). */
    long bytes(String key, long defaultValue) {
        Node v = value(key);
        Optional<String> s = string(key);
        if (s.isEmpty()) {
            return defaultValue;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)\\s*(\\d{1,15})\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)\\s*")
                .matcher(s.get());
        if (!m.matches()) {
            throw error(key, v, "must be a size in bytes such as 1073741824, 512MiB or 16GiB, not '" + s.get() + "'");
        }
        int shift = switch (m.group(2).isEmpty() ? 'b' : Character.toLowerCase(m.group(2).charAt(0))) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        long n = Long.parseLong(m.group(1));
        if (n > (Long.MAX_VALUE >> shift)) {
            throw error(key, v, "is too large");
        }
        return n << shift;
    }

    Duration duration(String key, Duration defaultValue) {
        Node v = value(key);
        Optional<String> s = string(key);
        try {
            return s.map(Durations::parse).orElse(defaultValue);
        } catch (IllegalArgumentException e) {
            throw error(key, v, String.valueOf(e.getMessage()));
        }
    }

    /** A nested mapping; an absent key gives an empty section. */
    Section section(String key) {
        Node v = value(key);
        if (v == null) {
            return empty(child(key));
        }
        if (!(v instanceof MappingNode m)) {
            throw error(key, v, "must be a mapping of keys");
        }
        return new Section(child(key), m, origins);
    }

    /** A list of mappings ({@code - url: ...}). */
    List<Section> sections(String key) {
        List<Section> result = new ArrayList<>();
        List<Node> items = sequence(key);
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof MappingNode m)) {
                throw error(key, items.get(i), "entries must be mappings of keys");
            }
            result.add(new Section(child(key) + "[" + i + "]", m, origins));
        }
        return result;
    }

    /** A list of strings; a single string counts as a list of one. */
    List<String> strings(String key) {
        Node v = value(key);
        if (v instanceof ScalarNode s) {
            return List.of(s.getValue());
        }
        List<String> result = new ArrayList<>();
        for (Node item : sequence(key)) {
            if (!(item instanceof ScalarNode s)) {
                throw error(key, item, "entries must be single values");
            }
            result.add(s.getValue());
        }
        return result;
    }

    /** A mapping of names to lists of strings ({@code http.headers}). Keys keep their case. */
    Map<String, List<String>> stringLists(String key) {
        Section s = section(key);
        Map<String, List<String>> result = new LinkedHashMap<>();
        for (String k : s.keys()) {
            result.put(k, s.strings(k));
        }
        return result;
    }

    /** A mapping of names to strings ({@code log.fields}). */
    Map<String, String> stringMap(String key) {
        Section s = section(key);
        Map<String, String> result = new LinkedHashMap<>();
        for (String k : s.keys()) {
            result.put(k, s.string(k, ""));
        }
        return result;
    }

    /** The section's remaining content as plain Java values (driver parameters), marking all keys known. */
    Map<String, Object> plain() {
        Map<String, Object> result = new LinkedHashMap<>();
        for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
            known.add(e.getKey());
            Object value = toPlain(e.getValue().getValueNode());
            if (value != null) {
                result.put(e.getKey(), value);
            }
        }
        return result;
    }

    /** Marks keys as accepted without reading them. */
    void accept(String... keys) {
        known.addAll(List.of(keys));
    }

    /** Rejects every key no binder has read. */
    void finish() {
        for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
            if (!known.contains(e.getKey())) {
                throw new ConfigException("unknown configuration key '%s' (%s); known keys of %s: %s".formatted(
                        child(e.getKey()), where(e.getValue().getKeyNode()), path.isEmpty() ? "the top level" : "'" + path + "'",
                        String.join(", ", known)));
            }
        }
    }

    ConfigException error(String key, @Nullable Node at, String message) {
        return new ConfigException("configuration key '%s' (%s) %s".formatted(child(key), at == null ? "here" : where(at), message));
    }

    private @Nullable Node value(String key) {
        known.add(key);
        NodeTuple t = entries.get(key);
        if (t == null) {
            return null;
        }
        Node v = t.getValueNode();
        if (v instanceof ScalarNode s && s.getTag().equals(Tag.NULL)) {
            return null;
        }
        return v;
    }

    private List<Node> sequence(String key) {
        Node v = value(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof SequenceNode seq)) {
            throw error(key, v, "must be a list");
        }
        return seq.getValue();
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private String where(Node n) {
        String origin = origins.get(n);
        if (origin != null) {
            return "from environment variable " + origin;
        }
        return n.getStartMark() == null ? "unknown position" : "line " + (n.getStartMark().getLine() + 1);
    }

    private String scalarKey(Node key) {
        if (!(key instanceof ScalarNode s)) {
            throw new ConfigException("configuration keys below '%s' must be plain names (%s)".formatted(path, where(key)));
        }
        return s.getValue();
    }

    private static @Nullable Object toPlain(Node n) {
        return switch (n) {
            case ScalarNode s when s.getTag().equals(Tag.NULL) -> null;
            case ScalarNode s when s.getTag().equals(Tag.BOOL) -> Boolean.parseBoolean(s.getValue());
            case ScalarNode s when s.getTag().equals(Tag.INT) -> parseLong(s.getValue());
            case ScalarNode s -> s.getValue();
            case SequenceNode seq -> seq.getValue().stream().map(Section::toPlain).toList();
            case MappingNode m -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (NodeTuple t : m.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k) {
                        map.put(k.getValue(), toPlain(t.getValueNode()));
                    }
                }
                yield map;
            }
            default -> null;
        };
    }

    private static Object parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return s;
        }
    }
}
