package io.bulwark.bench;

import java.util.List;
import java.util.ServiceLoader;

/** Entry point of {@code benchmarks.jar}: {@code list}, or {@code NAME [ARGS]}. */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    List<BenchSuite> suites =
        ServiceLoader.load(BenchSuite.class).stream().map(ServiceLoader.Provider::get).toList();
    if (args.length == 0 || args[0].equals("list")) {
      System.out.println("benchmarks (./bulwark bench NAME):");
      suites.forEach(s -> System.out.printf("  %-12s %s%n", s.name(), s.description()));
      return;
    }
    BenchSuite suite =
        suites.stream().filter(s -> s.name().equals(args[0])).findFirst().orElse(null);
    if (suite == null) {
      System.err.println(
          "unknown benchmark \""
              + args[0]
              + "\"; known: "
              + suites.stream().map(BenchSuite::name).toList());
      System.exit(2);
      return;
    }
    BenchResult result = suite.run(List.of(args).subList(1, args.length), System.out);
    System.out.println(result.line());
  }
}
