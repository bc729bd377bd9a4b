package io.bulwark.core.fault;

import java.util.Objects;

/**
 * What an injection point must do to one call: the per-call form of a fault, decided by the {@link
 * FaultInjector} (a latency distribution is sampled into one {@link Delay}). A point applies the
 * actions it understands (see each point's documentation) and {@link FaultPoints#apply applies} the
 * generic ones (delay, raise, blackhole).
 */
public sealed interface FaultAction {
  /** What the faulted call is tagged with. */
  FaultTag tag();

  /** Wait {@code nanos}, then go on. */
  record Delay(FaultTag tag, long nanos) implements FaultAction {
    public Delay {
      Objects.requireNonNull(tag, "tag");
      if (nanos < 0) {
        throw new IllegalArgumentException("delay must not be negative, was " + nanos + " ns");
      }
    }
  }

  /** Answer (server) or receive (client) {@code status} instead of the real answer. */
  record Status(FaultTag tag, int status) implements FaultAction {
    public Status {
      Objects.requireNonNull(tag, "tag");
      if (status < 400 || status > 599) {
        throw new IllegalArgumentException("fault status must be 400..599, was " + status);
      }
    }
  }

  /** Throw {@code error} instead of doing the call. */
  record Raise(FaultTag tag, RuntimeException error) implements FaultAction {
    public Raise {
      Objects.requireNonNull(tag, "tag");
      Objects.requireNonNull(error, "error");
    }
  }

  /**
   * Never answer: hang until the caller's deadline (then fail as a passed deadline), or for at most
   * {@code maxHangNanos} (the fault's remaining life) when there is no deadline.
   */
  record Blackhole(FaultTag tag, long maxHangNanos) implements FaultAction {
    public Blackhole {
      Objects.requireNonNull(tag, "tag");
    }
  }

  /** Send the body at {@code bytesPerSecond} (HTTP server). */
  record SlowBody(FaultTag tag, long bytesPerSecond) implements FaultAction {
    public SlowBody {
      Objects.requireNonNull(tag, "tag");
      if (bytesPerSecond <= 0) {
        throw new IllegalArgumentException("bytes per second must be > 0, was " + bytesPerSecond);
      }
    }
  }

  /** Send only the first {@code keepBytes} of the body, then cut the connection (HTTP server). */
  record TruncateBody(FaultTag tag, int keepBytes) implements FaultAction {
    public TruncateBody {
      Objects.requireNonNull(tag, "tag");
      if (keepBytes < 0) {
        throw new IllegalArgumentException("kept bytes must not be negative, was " + keepBytes);
      }
    }
  }

  /** Deliver the event {@code copies} extra times (event consume / produce). */
  record Duplicate(FaultTag tag, int copies) implements FaultAction {
    public Duplicate {
      Objects.requireNonNull(tag, "tag");
      if (copies < 1) {
        throw new IllegalArgumentException("copies must be >= 1, was " + copies);
      }
    }
  }

  /** Hold the event back and deliver it after up to {@code window} later ones (event consume). */
  record Reorder(FaultTag tag, int window) implements FaultAction {
    public Reorder {
      Objects.requireNonNull(tag, "tag");
      if (window < 1) {
        throw new IllegalArgumentException("reorder window must be >= 1, was " + window);
      }
    }
  }
}
