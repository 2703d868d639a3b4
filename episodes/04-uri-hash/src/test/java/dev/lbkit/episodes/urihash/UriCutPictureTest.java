package dev.lbkit.episodes.urihash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed uri-cut.svg is what lbkit's uri key cutter does today, and it shows what the lesson
 * says.
 */
class UriCutPictureTest {

    @Test
    void committedPictureMatchesTheCode() throws Exception {
        assertThat(Files.readString(Path.of("uri-cut.svg")))
                .as(
                        "uri-cut.svg is regenerated from the code (run UriCutPicture from the repository root)")
                .isEqualTo(UriCutPicture.svg());
    }

    @Test
    void everyRowCutsTheKeyTheLessonDescribes() throws Exception {
        List<String> keys = UriCutPicture.cuts().stream().map(UriCutPicture.Cut::key).toList();
        assertThat(keys)
                .as("keys of " + UriCutPicture.TARGET + " for " + UriCutPicture.OPTIONS)
                .containsExactly(
                        "http://shop.example/img/cats/tabby.jpg",
                        "http://shop.example/img/cats/tabby.jpg?size=2/3",
                        "/img/cats/tabby.jpg",
                        "/img/cats/tabby.jpg?size=2/3",
                        "http://shop.exam",
                        "http://shop.example/img",
                        "/img/cats",
                        "/img/cats/tabby.jpg?size=2",
                        "/img/ca");
    }
}
