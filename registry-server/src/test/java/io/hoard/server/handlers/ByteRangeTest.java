package io.hoard.server.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import org.junit.jupiter.api.Test;

final class ByteRangeTest {
    @Test
    void resolvesTheThreeForms() {
        assertThat(ByteRange.parse("bytes=0-9", 100)).contains(new ByteRange(0, 9));
        assertThat(ByteRange.parse("bytes=90-", 100)).contains(new ByteRange(90, 99));
        assertThat(ByteRange.parse("bytes=-10", 100)).contains(new ByteRange(90, 99));
        assertThat(ByteRange.parse("bytes=-1000", 100)).contains(new ByteRange(0, 99));
        assertThat(ByteRange.parse("bytes=50-1000", 100)).contains(new ByteRange(50, 99));
        assertThat(ByteRange.parse("BYTES=1-1", 100)).contains(new ByteRange(1, 1));
    }

    @Test
    void noHeaderOrSeveralRangesMeansWholeContent() {
        assertThat(ByteRange.parse(null, 100)).isEmpty();
        assertThat(ByteRange.parse("bytes=0-1,5-6", 100)).isEmpty();
    }

    @Test
    void unsatisfiableOrMalformedIs416() {
        for (String bad : new String[] {"bytes=100-", "bytes=5-4", "bytes=x-", "bytes=-", "lines=1-2", "bytes=-0"}) {
            assertThatThrownBy(() -> ByteRange.parse(bad, 100)).as(bad).isInstanceOfSatisfying(RegistryException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.RANGE_INVALID));
        }
        assertThatThrownBy(() -> ByteRange.parse("bytes=0-", 0)).isInstanceOf(RegistryException.class);
    }
}
