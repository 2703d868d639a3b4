package dev.lbkit.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LessonSnippetsTest {

    private static Path repoRoot() {
        Path here =
                Path.of(System.getProperty("lbkit.repo.root", "..")).toAbsolutePath().normalize();
        return Files.exists(here.resolve("episodes")) ? here : here.getParent();
    }

    @Test
    void everyLessonSnippetMatchesTheCompiledSource() {
        assertThat(Snippets.check(repoRoot()))
                .as(
                        "code blocks in the lessons must equal their marked source regions (fix: ./lbkit snippets --fix)")
                .isEmpty();
    }

    @Test
    void reportsADriftedSnippetWithFileAndLine(@TempDir Path root) throws Exception {
        Files.writeString(
                root.resolve("A.java"),
                "class A {\n    // snippet:start hello\n    int x = 1;\n    // snippet:end hello\n}\n");
        Files.writeString(
                root.resolve("README.md"),
                "# Lesson\n\n<!-- snippet: A.java#hello -->\n```java\nint x = 2;\n```\n<!-- /snippet -->\n");

        assertThat(Snippets.check(root))
                .as("a copy that differs from the source is reported")
                .extracting(Object::toString)
                .containsExactly(
                        "README.md:3: snippet A.java#hello: the lesson's copy differs from the source; run ./lbkit snippets --fix");

        assertThat(Snippets.fix(root)).as("fix rewrites the one drifted block").isEqualTo(1);
        assertThat(Snippets.check(root)).as("after fix nothing drifts").isEmpty();
        assertThat(Files.readString(root.resolve("README.md")))
                .contains("```java\nint x = 1;\n```");
    }

    @Test
    void reportsMissingMarkers(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("A.java"), "class A {}\n");
        Files.writeString(
                root.resolve("README.md"),
                "<!-- snippet: A.java#gone -->\n```java\n```\n<!-- /snippet -->\n");
        assertThat(Snippets.check(root))
                .extracting(Snippets.Drift::problem)
                .containsExactly(
                        "markers '// snippet:start gone' / '// snippet:end gone' not found in A.java");
    }

    @Test
    void takesAConfigRegionMarkedWithHashComments(@TempDir Path root) throws Exception {
        Files.writeString(
                root.resolve("haproxy.cfg"),
                "global\n# snippet:start be\nbackend be\n    balance uri\n# snippet:end be\n");
        Files.writeString(
                root.resolve("README.md"), "<!-- snippet: haproxy.cfg#be -->\n<!-- /snippet -->\n");
        assertThat(Snippets.fix(root)).isEqualTo(1);
        assertThat(Files.readString(root.resolve("README.md")))
                .isEqualTo(
                        "<!-- snippet: haproxy.cfg#be -->\n```haproxy\nbackend be\n    balance uri\n```\n<!-- /snippet -->\n");
        assertThat(Snippets.check(root)).isEmpty();
    }
}
