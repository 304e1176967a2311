package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.hoard.config.ConfigLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A start that cannot succeed says why in one line. */
final class StartFailureTest {
    @Test
    void aPortInUseIsNamedWithWhatToDo() throws Exception {
        try (TestRegistry first = TestRegistry.inMemory("")) {
            int port = first.app.address().getPort();
            Throwable failure = catchThrowable(() -> RegistryApp.start(ConfigLoader.parse(
                    "http:\n  addr: 127.0.0.1:" + port + "\nstorage:\n  inmemory: {}\n", Map.of(), "test")));
            String line = Main.startFailure(failure);
            assertThat(line).contains("already in use").contains("http.addr").doesNotContain("\n");
        }
    }
}
