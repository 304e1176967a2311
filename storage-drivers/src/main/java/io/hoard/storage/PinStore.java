package io.hoard.storage;

import static io.hoard.storage.PathSpec.pathFor;

import com.fasterxml.jackson.databind.JsonNode;
import io.hoard.model.Digest;
import io.hoard.model.Json;
import io.hoard.storage.driver.StorageDriver;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pins made through the admin API, kept in the store ({@code _hoard/pins/<sha256 of the pin>}, a
 * small JSON file each) so that every instance on the store, and every later start, sees them.
 * Pins from the configuration ({@code proxy.pins}) are not stored: they are the configuration's.
 */
public final class PinStore {
    /** A stored pin and when it was made. */
    public record StoredPin(Pin pin, Instant created) {
    }

    private final StorageDriver driver;

    public PinStore(StorageDriver driver) {
        this.driver = driver;
    }

    /** Every stored pin, oldest first; files that are not pins are skipped. */
    public List<StoredPin> list() {
        List<StoredPin> pins = new ArrayList<>();
        for (String file : StorageIo.ifExists("listing pins", () -> driver.list(PathSpec.PINS)).orElse(List.of())) {
            StorageIo.ifExists("reading pin " + file, () -> driver.getContent(file)).flatMap(PinStore::decode)
                    .ifPresent(pins::add);
        }
        pins.sort(Comparator.comparing(StoredPin::created).thenComparing(p -> p.pin().toString()));
        return pins;
    }

    /** Whether {@code pin} is stored. */
    public boolean contains(Pin pin) {
        return StorageIo.fileExists(driver, file(pin));
    }

    /** Stores {@code pin}; true when it was not there before. */
    public boolean add(Pin pin, Instant now) {
        if (contains(pin)) {
            return false;
        }
        Map<String, String> json = new LinkedHashMap<>();
        json.put("pin", pin.toString());
        json.put("created", now.toString());
        StorageIo.run("storing pin " + pin, () -> driver.putContent(file(pin), Json.MAPPER.writeValueAsBytes(json)));
        return true;
    }

    /** Removes {@code pin}; true when it was stored. */
    public boolean remove(Pin pin) {
        if (!contains(pin)) {
            return false;
        }
        StorageIo.deleteIfExists(driver, file(pin));
        return true;
    }

    private static String file(Pin pin) {
        return pathFor(new PathSpec.PinFile(Digest.sha256(pin.toString().getBytes(StandardCharsets.UTF_8)).hex()));
    }

    private static Optional<StoredPin> decode(byte[] content) {
        try {
            JsonNode node = Json.MAPPER.readTree(content);
            return Optional.of(new StoredPin(Pin.parse(node.path("pin").asText("")),
                    Instant.parse(node.path("created").asText(""))));
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
