package io.bulwark.bench;

import java.io.PrintStream;
import java.util.List;

/**
 * One side-by-side comparison that {@code ./bulwark bench NAME} can run: Bulwark and its anchor,
 * measured in the same run. Registered in {@code META-INF/services/io.bulwark.bench.BenchSuite}.
 */
public interface BenchSuite {

  /** The name used on the command line, e.g. {@code resilience}. */
  String name();

  /** One line saying what is compared with what. */
  String description();

  /**
   * Runs the comparison, prints a human table to {@code out} and returns the machine-readable
   * result; {@link BenchMain} prints {@link BenchResult#line()} as the last line.
   */
  BenchResult run(List<String> args, PrintStream out) throws Exception;
}
