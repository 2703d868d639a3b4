package dev.lbkit.harness.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The image resolution without Docker: local, pulled, or the locally built image after a failed
 * pull.
 */
class HaproxyImagesTest {

    /**
     * An image store in memory; a pull either adds the image or fails with Docker's kind of
     * message.
     */
    private static final class FakeStore implements HaproxyImages.Store {
        final Set<String> images = new HashSet<>();
        final List<String> pulls = new ArrayList<>();
        boolean registryAnswers;

        @Override
        public boolean has(String image) {
            return images.contains(image);
        }

        @Override
        public void pull(String image, Duration timeout, Consumer<String> progress) {
            pulls.add(image);
            if (!registryAnswers) {
                // as docker-java reports it
                throw new IllegalStateException(
                        "Status 500: {\"message\":\"Get \\\"https://registry-1.docker.io/v2/\\\": proxyconnect tcp: dial tcp 127.0.0.1:9: connect: connection refused\"}");
            }
            progress.accept("[lbkit] pulling " + image + ": 1 of 1 layers, 1.0 of 1.0 MB");
            images.add(image);
        }
    }

    private final FakeStore store = new FakeStore();
    private final List<String> said = new ArrayList<>();

    private HaproxyImages.Resolved resolve(String image) {
        return HaproxyImages.resolve(image, store, Duration.ofSeconds(5), said::add);
    }

    @Test
    void aLocalImageIsUsedWithoutPulling() {
        store.images.add("haproxy:2.6");
        HaproxyImages.Resolved resolved = resolve("haproxy:2.6");
        assertThat(resolved.image()).contains("haproxy:2.6");
        assertThat(resolved.how()).isEqualTo("local");
        assertThat(store.pulls).isEmpty();
        assertThat(said).isEmpty();
    }

    @Test
    void aMissingImageIsPulledWithProgressLines() {
        store.registryAnswers = true;
        HaproxyImages.Resolved resolved = resolve("haproxy:2.6");
        assertThat(resolved.image()).contains("haproxy:2.6");
        assertThat(resolved.how()).isEqualTo("pulled");
        assertThat(said).first().asString().contains("pulling it (docker pull haproxy:2.6)");
        assertThat(said).last().asString().startsWith("[lbkit] pulled haproxy:2.6 in ");
    }

    @Test
    void offlineTheLocallyBuiltImageOfTheSameLineIsUsedAndSaidSo() {
        store.images.add("local/haproxy:3.2");
        HaproxyImages.Resolved resolved = resolve("haproxy:3.2");
        assertThat(resolved.image()).contains("local/haproxy:3.2");
        assertThat(resolved.how()).isEqualTo("fallback");
        assertThat(store.pulls).containsExactly("haproxy:3.2");
        assertThat(said)
                .last()
                .asString()
                .contains(
                        "haproxy:3.2 is not available (the pull failed: Get \"https://registry-1.docker.io/v2/\": proxyconnect tcp:")
                .contains("connection refused)")
                .endsWith("using the locally built local/haproxy:3.2");
    }

    @Test
    void offlineWithoutALocalBuildTheReasonNamesTheScriptThatBuildsOne() {
        HaproxyImages.Resolved resolved = resolve("haproxy:2.6");
        assertThat(resolved.image()).isEmpty();
        assertThat(resolved.missing())
                .contains("image haproxy:2.6 is not in the local Docker and the pull failed")
                .contains(
                        "nor is local/haproxy:2.6 (build it offline with .ci/build-haproxy-image.sh local/haproxy:2.6)");
        assertThat(resolve("haproxy:3.4").missing()).contains(".ci/build-haproxy-versions.sh 3.4");
    }

    @Test
    void locallyBuiltImagesAreNeverPulled() {
        HaproxyImages.Resolved resolved = resolve("local/haproxy:2.6");
        assertThat(resolved.image()).isEmpty();
        assertThat(store.pulls).isEmpty();
        assertThat(resolved.missing()).contains("it is built locally, never pulled");
    }

    @Test
    void onlyOfficialImagesOfAKnownLineFallBack() {
        assertThat(HaproxyImages.fallbackFor("haproxy:2.6")).contains("local/haproxy:2.6");
        assertThat(HaproxyImages.fallbackFor("docker.io/library/haproxy:3.0.11"))
                .contains("local/haproxy:3.0");
        assertThat(HaproxyImages.fallbackFor("haproxy:2.6-alpine")).contains("local/haproxy:2.6");
        assertThat(HaproxyImages.fallbackFor("haproxy:2.8")).isEmpty();
        assertThat(HaproxyImages.fallbackFor("example.org/haproxy:2.6")).isEmpty();
        assertThat(HaproxyImages.fallbackFor("haproxy:latest")).isEmpty();
    }

    @Test
    void theLineAskedChoosesTheOfficialImage() {
        String before = System.getProperty(HaproxyImages.VERSION_PROPERTY);
        try {
            System.setProperty(HaproxyImages.VERSION_PROPERTY, "3.2");
            assertThat(HaproxyImages.official(HaproxyImages.lineAsked())).isEqualTo("haproxy:3.2");
            System.setProperty(HaproxyImages.VERSION_PROPERTY, "");
            assertThat(HaproxyImages.official(HaproxyImages.lineAsked()))
                    .isEqualTo(
                            System.getenv("LBKIT_HAPROXY_VERSION") == null
                                    ? "haproxy:2.6"
                                    : HaproxyImages.official(HaproxyImages.lineAsked()));
        } finally {
            if (before == null) {
                System.clearProperty(HaproxyImages.VERSION_PROPERTY);
            } else {
                System.setProperty(HaproxyImages.VERSION_PROPERTY, before);
            }
        }
    }
}
