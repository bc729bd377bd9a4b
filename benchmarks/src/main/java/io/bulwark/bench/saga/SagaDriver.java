package io.bulwark.bench.saga;

/**
 * One side of the saga comparison: something that runs the 3-step workflow (or the database loop
 * standing for it) to completion, durably, and counts afterwards, from its own database, how much
 * work it stored.
 */
interface SagaDriver extends AutoCloseable {

  /** The side's label in the table, e.g. {@code bulwark} or {@code db-limit}. */
  String name();

  /**
   * Runs saga {@code runId} (number {@code n}) to completion on the calling thread and returns its
   * output; every durable unit (the start and each step) records its time in {@code steps}.
   */
  String runOne(String runId, long n, StepTimes steps) throws Exception;

  /** The output {@link #runOne} must return for saga {@code n}: the three step results joined. */
  static String expectedOutput(long n) {
    return "reserved-" + n + "|charged-" + n + "|shipped-" + n;
  }

  /**
   * What the side's database holds after the run: completed sagas (runs or workflows marked done,
   * or for the limit loop, start rows) and stored step results, counted with SQL where the side's
   * tables are known.
   */
  Stored countStored() throws Exception;

  @Override
  void close() throws Exception;

  /**
   * Counts read back from a side's database; {@code -1} where the side cannot count that way
   * ({@code how} says how it was counted instead).
   */
  record Stored(long completedRuns, long stepRows, String how) {}
}
