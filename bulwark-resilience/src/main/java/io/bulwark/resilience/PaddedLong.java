package io.bulwark.resilience;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A {@code long} on a cache line of its own, for the one word a policy's callers all write (the
 * rate limiter's arrival time, the breaker window's cursor, a bulkhead's free permits). Padding on
 * both sides keeps the writes of one core from invalidating the line another core reads the
 * policy's constants from (false sharing), which otherwise doubles the cost under two threads.
 */
@SuppressWarnings({"unused", "UnusedVariable"})
final class PaddedLong extends PaddedLongValue implements Gcra.Cell {
  private long q1;
  private long q2;
  private long q3;
  private long q4;
  private long q5;
  private long q6;
  private long q7;

  PaddedLong(long initial) {
    set(initial);
  }
}

/** The left padding: fields of a superclass are laid out before those of its subclasses. */
@SuppressWarnings({"unused", "UnusedVariable"})
abstract class PaddedLongLeft {
  private long p1;
  private long p2;
  private long p3;
  private long p4;
  private long p5;
  private long p6;
  private long p7;
}

/** The value between the paddings, with its atomic operations. */
abstract class PaddedLongValue extends PaddedLongLeft {
  private static final VarHandle VALUE;

  static {
    try {
      VALUE = MethodHandles.lookup().findVarHandle(PaddedLongValue.class, "value", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile long value;

  public final long get() {
    return value;
  }

  public final void set(long newValue) {
    value = newValue;
  }

  public final boolean compareAndSet(long expected, long newValue) {
    return VALUE.compareAndSet(this, expected, newValue);
  }

  public final long getAndAdd(long delta) {
    return (long) VALUE.getAndAdd(this, delta);
  }

  public final long addAndGet(long delta) {
    return (long) VALUE.getAndAdd(this, delta) + delta;
  }
}
