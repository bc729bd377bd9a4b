package io.bulwark.bench.gateway;

import io.bulwark.gateway.internal.StageTimes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The gateway child's per-stage breakdown of its proxied exchanges (from {@link StageTimes}, on
 * when the child runs with {@code -Dbulwark.gateway.stage-times=true}): for each step between two
 * stages (head → route matched → connection taken → request sent → answer head → answer written)
 * and for the whole, p50/p99/p99.9/max in HdrHistograms, the share of exchanges that waited for a
 * new upstream connection, and the mean of each step among the slowest 1 % of exchanges (where a
 * p99 request's time went). Kept in the child; the parent asks for lines over the child's stdin.
 */
final class StageReport {
  static final String WINDOW = "stages";
  static final String TOTAL = "stages-total";
  static final String RESET = "stages-reset";
  static final String PREFIX = "STAGES ";
  private static final String[] STEPS = {"match", "connection", "send", "upstream", "answer"};

  private final List<long[]> window = new ArrayList<>(); // per exchange: steps + total + fresh
  private final List<long[]> total = new ArrayList<>();

  /** Moves what the gateway recorded since the last call into the window and the total. */
  private void take() {
    StageTimes.Drained d = StageTimes.drain();
    for (int i = 0; i < d.count(); i++) {
      long[] row = new long[STEPS.length + 2];
      long prev = 0;
      for (int s = 0; s < STEPS.length; s++) {
        long at = d.nanos(s, i);
        row[s] = Math.max(0, at - prev);
        prev = at;
      }
      row[STEPS.length] = prev;
      row[STEPS.length + 1] = d.newConnection(i) ? 1 : 0;
      window.add(row);
      total.add(row);
    }
  }

  /** Answers one command line, or returns null if it is not one of this class's. */
  String answer(String command) {
    switch (command) {
      case WINDOW -> {
        take();
        String line = PREFIX + format(window);
        window.clear();
        return line;
      }
      case TOTAL -> {
        take();
        window.clear();
        return PREFIX + format(total);
      }
      case RESET -> {
        take();
        window.clear();
        total.clear();
        return PREFIX + "reset";
      }
      default -> {
        return null;
      }
    }
  }

  static String format(List<long[]> rows) {
    if (rows.isEmpty()) {
      return "no exchanges recorded (run the child with -D" + StageTimes.PROPERTY + "=true)";
    }
    int n = rows.size();
    StringBuilder b = new StringBuilder();
    long fresh = rows.stream().filter(r -> r[STEPS.length + 1] != 0).count();
    b.append(String.format(Locale.ROOT, "n=%d new-connection=%d (us p50/p99/p99.9/max)", n, fresh));
    Histogram whole = histogram(rows, STEPS.length);
    for (int s = 0; s < STEPS.length; s++) {
      b.append(" | ").append(STEPS[s]).append(' ').append(percentiles(histogram(rows, s)));
    }
    b.append(" | total ").append(percentiles(whole));
    long cut = whole.getValueAtPercentile(99);
    List<long[]> tail = rows.stream().filter(r -> r[STEPS.length] >= cut).toList();
    b.append(
        String.format(
            Locale.ROOT,
            " || slowest 1%% (%d, total >= %d us), mean us:",
            tail.size(),
            cut / 1000));
    for (int s = 0; s < STEPS.length; s++) {
      final int step = s;
      double mean = tail.stream().mapToLong(r -> r[step]).average().orElse(0) / 1000.0;
      b.append(String.format(Locale.ROOT, " %s %.0f", STEPS[s], mean));
    }
    long tailFresh = tail.stream().filter(r -> r[STEPS.length + 1] != 0).count();
    b.append(String.format(Locale.ROOT, ", new-connection %d", tailFresh));
    return b.toString();
  }

  private static Histogram histogram(List<long[]> rows, int column) {
    Histogram h = new Histogram(3);
    for (long[] r : rows) {
      h.recordValue(Math.max(0, r[column]));
    }
    return h;
  }

  private static String percentiles(Histogram h) {
    return String.format(
        Locale.ROOT,
        "%d/%d/%d/%d",
        h.getValueAtPercentile(50) / 1000,
        h.getValueAtPercentile(99) / 1000,
        h.getValueAtPercentile(99.9) / 1000,
        h.getMaxValue() / 1000);
  }
}
