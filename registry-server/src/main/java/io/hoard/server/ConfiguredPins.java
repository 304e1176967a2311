package io.hoard.server;

import io.hoard.config.ConfigException;
import io.hoard.config.ProxyConfig;
import io.hoard.model.RepositoryName;
import io.hoard.proxy.ProxyRouter;
import io.hoard.storage.Pin;
import org.jspecify.annotations.Nullable;

/** The pins of a configuration ({@code proxy.pins}, {@code proxy.prewarm}), under the names the store uses. */
final class ConfiguredPins {
    private ConfiguredPins() {
    }

    /** The repository a name as clients spell it is stored under: the cache's name for it, with a proxy section. */
    static java.util.function.Function<String, RepositoryName> storedNames(@Nullable ProxyRouter router) {
        if (router == null) {
            return RepositoryName::of;
        }
        return name -> {
            int slash = name.indexOf('/');
            if (slash > 0 && ProxyRouter.isDockerHub(name.substring(0, slash))) {
                return router.route(name.substring(slash + 1), "docker.io", false).cacheName();
            }
            return router.route(name, null, false).cacheName();
        };
    }

    /** {@code proxy.pins}, checked: a pin that does not parse stops the start with its key named. */
    static java.util.List<Pin> of(@Nullable ProxyConfig proxy,
            java.util.function.Function<String, RepositoryName> storedName) {
        if (proxy == null) {
            return java.util.List.of();
        }
        java.util.List<Pin> pins = new java.util.ArrayList<>();
        java.util.List<String> all = new java.util.ArrayList<>(proxy.pins());
        all.addAll(proxy.prewarm()); // what is kept fresh is kept
        for (String text : all) {
            try {
                pins.add(Pin.parse(text, storedName));
            } catch (io.hoard.model.RegistryException e) {
                throw new ConfigException("proxy.pins or proxy.prewarm: '" + text + "' is not an image (repository, repository:tag or "
                        + "repository@digest): " + e.getMessage());
            }
        }
        return pins;
    }
}
