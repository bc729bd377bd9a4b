package io.bulwark.cli.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.jspecify.annotations.Nullable;

/**
 * Compiles the {@code java} blocks of Markdown pages against the test class path, and names each
 * compiler error by the page and line of the snippet it is in.
 *
 * <p>The convention the pages follow:
 *
 * <ul>
 *   <li>A block whose first code line declares a type ({@code class}, {@code record}, {@code
 *       interface}, {@code enum}, or an annotation before one) is compiled as a compilation unit.
 *   <li>Any other block is a fragment, compiled as the body of a method {@code void snippet()
 *       throws Exception} of a class.
 *   <li>Both see every public type of every exported Bulwark package (single-type imports, so a
 *       Bulwark {@code Clock} wins over {@code java.time.Clock}; a simple name two Bulwark packages
 *       share is left for the snippet to import) and the packages of {@link #JDK_PACKAGES}.
 *   <li>A block may start with its own {@code import} lines; the variables, types and methods it
 *       uses without declaring them come from its hidden context ({@link DocBlock}).
 *   <li>A block with a line {@code // snippet: skip <reason>} is not compiled but counted.
 * </ul>
 */
final class JavaSnippets {

  static final List<String> JDK_PACKAGES =
      List.of(
          "java.io",
          "java.net",
          "java.nio.file",
          "java.sql",
          "java.time",
          "java.util",
          "java.util.concurrent",
          "java.util.function");

  static final String SKIP_MARKER = "// snippet: skip";

  private static final Pattern TYPE_DECLARATION =
      Pattern.compile("\\b(?:class|interface|record|enum)\\s+([A-Z]\\w*)");
  private static final Pattern UNIT_START =
      Pattern.compile(
          "^(?:@\\w+.*|(?:(?:public|final|abstract|sealed)\\s+)*(?:class|interface|record|enum)\\s.*)");

  /** What compiling a set of blocks found. */
  record Report(int compiled, List<String> skipped, List<String> failures) {}

  private final Map<String, List<String>> bulwarkTypes;

  JavaSnippets(Map<String, List<String>> bulwarkTypes) {
    this.bulwarkTypes = Map.copyOf(bulwarkTypes);
  }

  /** Compiles every {@code java} block of {@code blocks}; other languages are ignored. */
  Report compile(List<DocBlock> blocks, Path workDir) {
    List<String> skipped = new ArrayList<>();
    List<Source> sources = new ArrayList<>();
    for (DocBlock block : blocks) {
      if (!block.language().equals("java")) {
        continue;
      }
      String skip = skipReason(block);
      if (skip != null) {
        skipped.add(block.where(0) + ": " + skip);
      } else {
        sources.add(source(block, "snippet" + sources.size()));
      }
    }
    List<String> failures = sources.isEmpty() ? List.of() : javac(sources, workDir);
    return new Report(sources.size(), skipped, failures);
  }

  private static @Nullable String skipReason(DocBlock block) {
    for (String line : block.text()) {
      String l = line.strip();
      if (l.startsWith(SKIP_MARKER)) {
        return l.substring(SKIP_MARKER.length()).strip();
      }
    }
    return null;
  }

  /** One generated compilation unit and, per generated line, the page line it came from. */
  private static final class Source extends SimpleJavaFileObject {
    private final DocBlock block;
    private final List<String> lines = new ArrayList<>();
    private final List<String> origins = new ArrayList<>();

    Source(DocBlock block, String pkg, String typeName) {
      super(URI.create("string:///" + pkg + "/" + typeName + ".java"), Kind.SOURCE);
      this.block = block;
    }

    void add(String line, String origin) {
      lines.add(line);
      origins.add(origin);
    }

    String origin(long line) {
      if (line >= 1 && line <= origins.size() && !origins.get((int) line - 1).isEmpty()) {
        return origins.get((int) line - 1);
      }
      return block.where(0) + " (the wrapper around the block)";
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return String.join("\n", lines) + "\n";
    }
  }

  private Source source(DocBlock block, String pkg) {
    List<String> body = new ArrayList<>(block.text());
    boolean unit = isUnit(body);
    Source s = new Source(block, pkg, unit ? firstDeclaredType(body) : "Snippet");
    s.add("package " + pkg + ";", "");
    for (int i : leadingImports(body)) {
      s.add(body.get(i), block.where(i));
      body.set(i, "");
    }
    addContext(s, block, true);
    defaultImports(declaredNames(block)).forEach(line -> s.add(line, ""));
    if (!unit) {
      s.add("final class Snippet {", "");
    }
    addContext(s, block, false);
    if (!unit) {
      s.add("void snippet() throws Exception {", "");
    }
    for (int i = 0; i < body.size(); i++) {
      s.add(body.get(i), block.where(i));
    }
    if (!unit) {
      s.add("}}", "");
    }
    return s;
  }

  /** Adds the hidden context's import lines ({@code imports}) or its other lines. */
  private static void addContext(Source s, DocBlock block, boolean imports) {
    for (int i = 0; i < block.context().size(); i++) {
      String line = block.context().get(i);
      if (isImport(line) == imports) {
        s.add(line, contextWhere(block, i));
      }
    }
  }

  private static boolean isImport(String line) {
    return line.strip().startsWith("import ");
  }

  private static String contextWhere(DocBlock block, int index) {
    return block.source() + ":" + (block.contextLine() + index) + " (hidden context)";
  }

  /** The indexes of the import lines a block starts with (before its first code line). */
  private static List<Integer> leadingImports(List<String> body) {
    List<Integer> imports = new ArrayList<>();
    for (int i = 0; i < body.size(); i++) {
      String l = body.get(i).strip();
      if (isImport(l)) {
        imports.add(i);
      } else if (!l.isEmpty() && !l.startsWith("//")) {
        break;
      }
    }
    return imports;
  }

  private static boolean isUnit(List<String> body) {
    for (String line : body) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("//") && !isImport(l)) {
        return UNIT_START.matcher(l).matches();
      }
    }
    return false;
  }

  private static String firstDeclaredType(List<String> body) {
    Matcher m = TYPE_DECLARATION.matcher(String.join("\n", body));
    return m.find() ? m.group(1) : "Snippet";
  }

  private static Set<String> declaredNames(DocBlock block) {
    Set<String> names = new HashSet<>();
    for (String line : Stream.concat(block.text().stream(), block.context().stream()).toList()) {
      Matcher m = TYPE_DECLARATION.matcher(line);
      while (m.find()) {
        names.add(m.group(1));
      }
      String l = line.strip();
      if (isImport(l) && l.endsWith(";") && !l.endsWith("*;")) {
        names.add(l.substring(l.lastIndexOf('.') + 1, l.length() - 1));
      }
    }
    return names;
  }

  private List<String> defaultImports(Set<String> taken) {
    List<String> imports = new ArrayList<>();
    bulwarkTypes.forEach(
        (simple, types) -> {
          if (types.size() == 1 && !taken.contains(simple)) {
            imports.add("import " + types.get(0) + ";");
          }
        });
    JDK_PACKAGES.forEach(p -> imports.add("import " + p + ".*;"));
    return imports;
  }

  private static List<String> javac(List<Source> sources, Path workDir) {
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    Path classes = workDir.resolve("classes");
    try {
      Files.createDirectories(classes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> options =
        List.of(
            "-proc:none",
            "-implicit:none",
            "-d",
            classes.toString(),
            "-classpath",
            System.getProperty("java.class.path"));
    compiler.getTask(null, null, diagnostics, options, null, sources).call();
    List<String> failures = new ArrayList<>();
    diagnostics.getDiagnostics().stream()
        .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
        .sorted(Comparator.comparing(d -> String.valueOf(d.getSource())))
        .forEach(d -> failures.add(describe(d)));
    return failures;
  }

  private static String describe(Diagnostic<? extends JavaFileObject> d) {
    String where =
        d.getSource() instanceof Source s
            ? s.origin(d.getLineNumber())
            : String.valueOf(d.getSource()) + ":" + d.getLineNumber();
    return where + ": " + d.getMessage(Locale.ROOT);
  }
}
