package io.bulwark.chaos.cohort;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.event.KeyValuePair;

/**
 * Test appender (configured in logback-test.xml behind the stamping appender): keeps the last
 * {@value #KEEP} log lines with their stamped MDC and key-value pairs.
 */
public final class LogCapture extends UnsynchronizedAppenderBase<ILoggingEvent> {
  /** How many lines are kept (the oldest are dropped). */
  public static final int KEEP = 20_000;

  /** One captured line. */
  public record Line(
      String logger, String message, Map<String, String> mdc, Map<String, String> kv) {
    /** The stamped {@code chaos_cohort}, or null. */
    public String cohort() {
      return mdc.get("chaos_cohort");
    }
  }

  private static final ConcurrentLinkedDeque<Line> LINES = new ConcurrentLinkedDeque<>();
  private static final AtomicInteger SIZE = new AtomicInteger();

  @Override
  protected void append(ILoggingEvent event) {
    Map<String, String> kv = new java.util.HashMap<>();
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs != null) {
      pairs.forEach(p -> kv.put(p.key, String.valueOf(p.value)));
    }
    LINES.add(
        new Line(
            event.getLoggerName(),
            event.getFormattedMessage(),
            Map.copyOf(event.getMDCPropertyMap()),
            Map.copyOf(kv)));
    if (SIZE.incrementAndGet() > KEEP && LINES.pollFirst() != null) {
      SIZE.decrementAndGet();
    }
  }

  /** The captured lines whose message contains {@code text}. */
  public static List<Line> containing(String text) {
    return LINES.stream().filter(l -> l.message().contains(text)).toList();
  }

  /** The one captured line whose message is {@code message}; fails unless exactly one. */
  public static Line exactly(String message) {
    List<Line> found = LINES.stream().filter(l -> l.message().equals(message)).toList();
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " log lines are \"" + message + "\": " + found);
    }
    return found.getFirst();
  }

  /**
   * The one captured line whose message contains {@code text} (waiting up to 10 s for it to be
   * written); fails unless exactly one.
   */
  public static Line one(String text) {
    // a line written just after the answer (the access log) may still be on its way: wait for it
    long limit = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
    List<Line> found = containing(text);
    while (found.isEmpty() && System.nanoTime() - limit < 0) {
      Thread.onSpinWait();
      found = containing(text);
    }
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " log lines contain \"" + text + "\": " + found);
    }
    return found.getFirst();
  }
}
