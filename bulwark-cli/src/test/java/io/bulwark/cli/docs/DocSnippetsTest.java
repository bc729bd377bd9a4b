package io.bulwark.cli.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code java} block of README.md and docs/*.md compiles against the current API and every
 * {@code yaml} sample of a Bulwark config binds with its binder (conventions: {@link JavaSnippets},
 * {@link YamlSamples}, {@link DocBlock}); the fixtures under {@code
 * src/test/resources/doc-snippets} prove that a broken snippet or sample fails with its page and
 * line.
 */
class DocSnippetsTest {

  /** Deliberate pseudo-code is the exception: more skipped blocks than this fail the build. */
  static final int MAX_SKIPPED = 3;

  private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
  private static final Path FIXTURES = Path.of("src/test/resources/doc-snippets");

  private static Map<String, List<String>> bulwarkTypes = Map.of();

  @BeforeAll
  static void findTheApi() {
    bulwarkTypes = BulwarkApi.publicTypes();
  }

  @Test
  void theApiOfEveryModuleIsSeen() {
    assertThat(bulwarkTypes)
        .containsKeys("Context", "Pipeline", "BulwarkServer", "EventLog", "SystemRuntime")
        .containsKeys("BulwarkTelemetry", "VirtualScheduler", "ConfigLoader");
    assertThat(bulwarkTypes.get("Clock")).containsExactly("io.bulwark.core.time.Clock");
  }

  @Test
  void everyJavaSnippetOfTheDocsCompiles(@TempDir Path work) {
    List<DocBlock> blocks = docBlocks();
    JavaSnippets.Report report = new JavaSnippets(bulwarkTypes).compile(blocks, work);

    assertThat(report.failures()).as("snippets that do not compile").isEmpty();
    assertThat(report.skipped())
        .as("skipped snippets (at most %d): %s", MAX_SKIPPED, report.skipped())
        .hasSizeLessThanOrEqualTo(MAX_SKIPPED);
    assertThat(report.compiled() + report.skipped().size())
        .as("java blocks found")
        .isEqualTo(blocks.stream().filter(b -> b.language().equals("java")).count())
        .isGreaterThanOrEqualTo(10);
  }

  @Test
  void everyYamlSampleOfTheDocsBindsWithItsBinder() {
    List<DocBlock> blocks = docBlocks();
    YamlSamples.Report report = new YamlSamples(bulwarkTypes).bind(blocks);

    assertThat(report.failures()).as("yaml samples that do not bind").isEmpty();
    assertThat(report.bound()).as("yaml samples bound").isGreaterThanOrEqualTo(4);
  }

  @Test
  void aBrokenJavaSnippetFailsWithItsPageLineAndTheCompilersMessage(@TempDir Path work) {
    List<DocBlock> blocks = DocBlock.read(FIXTURES.resolve("broken.md"), "broken.md");
    JavaSnippets.Report report = new JavaSnippets(bulwarkTypes).compile(blocks, work);

    assertThat(report.failures())
        .containsExactlyInAnyOrder(
            "broken.md:7: cannot find symbol\n  symbol:   method noSuchMethod()\n"
                + "  location: class io.bulwark.core.context.Context",
            "broken.md:4 (hidden context): cannot find symbol\n  symbol:   class NoSuchType\n"
                + "  location: class snippet0.Snippet",
            "broken.md:22: incompatible types: java.lang.String cannot be converted to int");
    assertThat(report.skipped()).containsExactly("broken.md:26: pseudo-code on purpose");
    assertThat(report.compiled()).isEqualTo(4);
  }

  @Test
  void aBrokenYamlSampleFailsWithItsPageAndLine() {
    List<DocBlock> blocks = DocBlock.read(FIXTURES.resolve("broken.md"), "broken.md");
    YamlSamples.Report report = new YamlSamples(bulwarkTypes).bind(blocks);

    assertThat(report.bound()).isEqualTo(4);
    assertThat(report.notBulwark()).containsExactly("broken.md:57: nothing (an example of a file)");
    assertThat(report.failures()).hasSize(4);
    assertThat(report.failures().get(0))
        .startsWith("broken.md:43: ")
        .contains("unknown key")
        .contains("no-such-key");
    assertThat(report.failures().get(1)).startsWith("broken.md:48: ").contains("port");
    assertThat(report.failures().get(2))
        .startsWith("broken.md:52: ")
        .contains("no single exported Bulwark type named NoSuchConfig");
    assertThat(report.failures().get(3)).startsWith("broken.md:62: ").contains(YamlSamples.MARKER);
  }

  private static List<DocBlock> docBlocks() {
    List<DocBlock> blocks =
        new ArrayList<>(DocBlock.read(REPOSITORY.resolve("README.md"), "README.md"));
    try (Stream<Path> pages = Files.list(REPOSITORY.resolve("docs"))) {
      pages
          .filter(p -> p.getFileName().toString().endsWith(".md"))
          .sorted()
          .forEach(p -> blocks.addAll(DocBlock.read(p, "docs/" + p.getFileName())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return blocks;
  }
}
