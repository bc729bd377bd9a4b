package io.bulwark.cli.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One fenced code block of a Markdown page: its language, its first line in the page and, for Java,
 * the hidden context written right before it.
 *
 * <p>The hidden context is an HTML comment that only blank lines separate from the block's opening
 * fence; it does not show on a rendered page:
 *
 * <pre>
 * &lt;!-- snippet
 * import static org.assertj.core.api.Assertions.assertThat;
 * Clock clock;
 * record Order(String id) {}
 * --&gt;
 * </pre>
 *
 * Its {@code import} lines become imports of the compiled snippet, the rest members of the class
 * the snippet runs in (fields for the variables it uses, small types and methods it calls).
 *
 * @param source the page, as it is named in failures (e.g. {@code docs/http.md})
 * @param line the line of the first line inside the fence (1-based)
 * @param language the fence's info string, lower case ({@code java}, {@code yaml}, or empty)
 * @param text the lines inside the fence
 * @param context the hidden context's lines (empty if there is none)
 * @param contextLine the line of the hidden context's first line (0 if there is none)
 */
record DocBlock(
    String source,
    int line,
    String language,
    List<String> text,
    List<String> context,
    int contextLine) {

  private static final String CONTEXT_OPEN = "<!-- snippet";

  DocBlock {
    text = List.copyOf(text);
    context = List.copyOf(context);
  }

  /** Where the block's {@code index}th line (0-based) is, as {@code source:line}. */
  String where(int index) {
    return source + ":" + (line + index);
  }

  /** Every fenced block of {@code page}, named {@code source} in failures. */
  static List<DocBlock> read(Path page, String source) {
    List<String> lines;
    try {
      lines = Files.readAllLines(page, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + page, e);
    }
    return parse(lines, source);
  }

  static List<DocBlock> parse(List<String> lines, String source) {
    List<DocBlock> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String opening = lines.get(i).strip();
      if (!opening.startsWith("```")) {
        continue;
      }
      int end = closingFence(lines, i + 1, source);
      String language = opening.substring(3).strip().toLowerCase(Locale.ROOT);
      List<String> text = lines.subList(i + 1, end);
      int contextEnd = previousNonBlank(lines, i - 1);
      List<String> context = List.of();
      int contextLine = 0;
      if (contextEnd >= 0 && lines.get(contextEnd).strip().equals("-->")) {
        int start = contextStart(lines, contextEnd);
        if (start >= 0) {
          context = lines.subList(start + 1, contextEnd);
          contextLine = start + 2;
        }
      }
      blocks.add(new DocBlock(source, i + 2, language, text, context, contextLine));
      i = end;
    }
    return blocks;
  }

  private static int closingFence(List<String> lines, int from, String source) {
    for (int j = from; j < lines.size(); j++) {
      if (lines.get(j).strip().equals("```")) {
        return j;
      }
    }
    throw new IllegalArgumentException(source + ":" + from + ": code block is never closed");
  }

  private static int previousNonBlank(List<String> lines, int from) {
    int j = from;
    while (j >= 0 && lines.get(j).isBlank()) {
      j--;
    }
    return j;
  }

  private static int contextStart(List<String> lines, int contextEnd) {
    for (int j = contextEnd - 1; j >= 0; j--) {
      String l = lines.get(j).strip();
      if (l.equals(CONTEXT_OPEN)) {
        return j;
      }
      if (l.contains("-->") || l.startsWith("```")) {
        return -1;
      }
    }
    return -1;
  }
}
