package io.bulwark.gateway.internal;

import java.util.List;

/**
 * Where a proxied request's time goes inside the gateway: for each plain HTTP/1.1 exchange that
 * ends with a whole answer, the times from its request head (the handler's start) to its route
 * match, its upstream connection taken (pooled or newly connected), its upstream request written
 * and flushed, the upstream answer's head read and the client's answer written and flushed. A
 * diagnostic for the benchmark's open loop: off unless the system property {@value #PROPERTY} is
 * {@code true} when the gateway's classes load, and then one array store per stage and a short lock
 * per exchange.
 *
 * <p>Exchanges are kept in a ring of {@value #CAPACITY} (the oldest overwritten); {@link #drain}
 * hands them over and empties it. Thread-safe.
 */
public final class StageTimes {
  /** The system property that turns recording on. */
  public static final String PROPERTY = "bulwark.gateway.stage-times";

  /** Whether exchanges are recorded (read once). */
  public static final boolean ON = Boolean.getBoolean(PROPERTY);

  /** The stages, in order: each exchange's time at each, from its request head. */
  public static final List<String> STAGES =
      List.of("matched", "connection", "sent", "head", "answered");

  static final int MATCHED = 0;
  static final int CONNECTION = 1;
  static final int SENT = 2;
  static final int HEAD = 3;
  static final int ANSWERED = 4;
  private static final int COUNT = 5;
  private static final int WIDTH = COUNT + 1; // + 1 if the connection was new
  private static final int CAPACITY = 1 << 18;

  private static final Object LOCK = new Object();
  private static final long[] ring = new long[ON ? CAPACITY * WIDTH : 0];
  private static int next;
  private static long recorded;

  private StageTimes() {}

  /** The stage marks of one exchange (on its event loop). */
  static final class Marks {
    private final long start;
    private final long[] at = new long[WIDTH];

    Marks(long startNanos) {
      this.start = startNanos;
    }

    void mark(int stage, long nowNanos) {
      at[stage] = Math.max(1, nowNanos - start); // 0 stays "not reached"
    }

    void newConnection(boolean fresh) {
      at[COUNT] = fresh ? 1 : 0;
    }

    /** The exchange ended with its answer: record it if every stage was reached. */
    void record() {
      for (int i = 0; i < COUNT; i++) {
        if (at[i] == 0) {
          return; // a stage was skipped (a body, a retry, the Vert.x client): not recorded
        }
      }
      synchronized (LOCK) {
        System.arraycopy(at, 0, ring, next * WIDTH, WIDTH);
        next = (next + 1) % CAPACITY;
        recorded++;
      }
    }
  }

  /** The exchanges recorded between two drains. */
  public static final class Drained {
    private final long[][] nanos;
    private final boolean[] fresh;
    private final long lost;

    Drained(long[][] nanos, boolean[] fresh, long lost) {
      this.nanos = nanos;
      this.fresh = fresh;
      this.lost = lost;
    }

    /** Exchanges drained. */
    public int count() {
      return fresh.length;
    }

    /** Exchange {@code i}'s time at {@code stage} (an index of {@link #STAGES}), from its head. */
    public long nanos(int stage, int i) {
      return nanos[stage][i];
    }

    /** Whether exchange {@code i} went over a connection opened for it. */
    public boolean newConnection(int i) {
      return fresh[i];
    }

    /** Exchanges the ring overwrote before this drain. */
    public long lost() {
      return lost;
    }
  }

  /** Takes the exchanges recorded since the last call and empties the ring. */
  public static Drained drain() {
    synchronized (LOCK) {
      int n = (int) Math.min(recorded, CAPACITY);
      int first = recorded > CAPACITY ? next : 0;
      long[][] times = new long[COUNT][n];
      boolean[] fresh = new boolean[n];
      for (int i = 0; i < n; i++) {
        int base = ((first + i) % CAPACITY) * WIDTH;
        for (int s = 0; s < COUNT; s++) {
          times[s][i] = ring[base + s];
        }
        fresh[i] = ring[base + COUNT] != 0;
      }
      Drained d = new Drained(times, fresh, recorded - n);
      next = 0;
      recorded = 0;
      return d;
    }
  }
}
