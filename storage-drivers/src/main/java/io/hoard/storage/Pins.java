package io.hoard.storage;

import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Every pin: those of the configuration ({@code proxy.pins}, fixed) and those made through the
 * admin API ({@link PinStore}, shared by every instance on the store). Names are the ones content
 * is stored under; the caller turns a client's spelling into that first.
 */
public final class Pins {
    /** A pin and where it comes from. */
    public record Entry(Pin pin, boolean configured, @Nullable Instant created) {
    }

    private final PinStore store;
    private final List<Pin> configured;
    private final Clock clock;

    public Pins(PinStore store, List<Pin> configured, Clock clock) {
        this.store = store;
        this.configured = List.copyOf(new LinkedHashSet<>(configured));
        this.clock = clock;
    }

    /** Every pin, the configuration's first. */
    public List<Entry> list() {
        List<Entry> all = new ArrayList<>();
        configured.forEach(p -> all.add(new Entry(p, true, null)));
        for (PinStore.StoredPin stored : store.list()) {
            if (!configured.contains(stored.pin())) {
                all.add(new Entry(stored.pin(), false, stored.created()));
            }
        }
        return all;
    }

    /** Every pinned thing, once. */
    public Set<Pin> all() {
        Set<Pin> pins = new LinkedHashSet<>(configured);
        store.list().forEach(p -> pins.add(p.pin()));
        return pins;
    }

    /** Pins {@code pin}; false when it was pinned already. */
    public boolean add(Pin pin) {
        return !configured.contains(pin) && store.add(pin, clock.instant());
    }

    /**
     * Unpins {@code pin}.
     *
     * @throws RegistryException {@code DENIED} for a pin of the configuration, {@code NOT_FOUND} when it is not pinned
     */
    public void remove(Pin pin) {
        if (configured.contains(pin)) {
            throw new RegistryException(ErrorCode.DENIED, pin + " is pinned by the configuration (proxy.pins); remove it "
                    + "there");
        }
        if (!store.remove(pin)) {
            throw new RegistryException(ErrorCode.NOT_FOUND, pin + " is not pinned");
        }
    }
}
