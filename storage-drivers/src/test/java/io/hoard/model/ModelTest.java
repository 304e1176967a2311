package io.hoard.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class ModelTest {
    @Test
    void digestRoundTrips() {
        String s = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assertThat(Digest.parse(s).toString()).isEqualTo(s);
        assertThat(Digest.sha256(new byte[0]).toString()).isEqualTo(s);
        assertThat(Digest.of(DigestAlgorithm.SHA512, new byte[0]).hex()).hasSize(128);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", "sha256:", ":abc", "sha256:E3B0", "md5:d41d8cd98f00b204e9800998ecf8427e", "sha256:zz"})
    void badDigestsAreDigestInvalid(String s) {
        assertThatThrownBy(() -> Digest.parse(s)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "library/nginx", "a-b/c_d/e.f", "a__b", "a---b", "0/1/2"})
    void validNames(String s) {
        assertThat(RepositoryName.of(s).value()).isEqualTo(s);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "A", "a/", "/a", "a//b", "a/../b", "_a", "a_", "a.-b", "a___b", "a b"})
    void invalidNames(String s) {
        assertThatThrownBy(() -> RepositoryName.of(s)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NAME_INVALID));
    }

    @Test
    void nameLengthLimit() {
        assertThat(RepositoryName.of("a".repeat(255)).value()).hasSize(255);
        assertThatThrownBy(() -> RepositoryName.of("a".repeat(256))).isInstanceOf(RegistryException.class);
    }

    @Test
    void references() {
        assertThat(Reference.parse("latest")).isEqualTo(new Reference.Tag("latest"));
        assertThat(Reference.parse("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
                .isInstanceOf(Reference.ByDigest.class);
        assertThatThrownBy(() -> Reference.parse("-bad")).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TAG_INVALID));
        assertThatThrownBy(() -> Reference.parse("t".repeat(129))).isInstanceOf(RegistryException.class);
    }
}
