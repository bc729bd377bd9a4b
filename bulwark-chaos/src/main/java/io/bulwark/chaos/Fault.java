package io.bulwark.chaos;

import io.bulwark.core.fault.FaultPointKind;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What goes wrong: the fault model. Each fault type says at which kinds of injection points it can
 * act ({@link #points()}); a fault started with a blast radius naming other points is refused.
 * Ambient faults ({@link ClockSkew}, {@link CpuBurn}, {@link MemoryBallast}) act on the process (or
 * the chaos clock) while active rather than on single calls. Immutable values.
 */
public sealed interface Fault {

  /** The kebab-case name of the type ({@code latency}, {@code http-error}, ...). */
  String type();

  /** The kinds of points this fault can act at. */
  Set<FaultPointKind> points();

  /** Delays each faulted call. */
  record Latency(LatencyDistribution delay) implements Fault {
    public Latency {
      Objects.requireNonNull(delay, "delay");
    }

    /** A fixed delay. */
    public static Latency of(Duration delay) {
      return new Latency(LatencyDistribution.fixed(delay));
    }

    @Override
    public String type() {
      return "latency";
    }

    @Override
    public Set<FaultPointKind> points() {
      return EnumSet.complementOf(EnumSet.of(FaultPointKind.CLOCK));
    }
  }

  /** An HTTP answer with {@code status} (400..599) instead of the real one. */
  record HttpError(int status) implements Fault {
    public HttpError {
      if (status < 400 || status > 599) {
        throw new IllegalArgumentException("http-error status must be 400..599, was " + status);
      }
    }

    @Override
    public String type() {
      return "http-error";
    }

    @Override
    public Set<FaultPointKind> points() {
      return EnumSet.of(
          FaultPointKind.HTTP_CLIENT, FaultPointKind.HTTP_SERVER, FaultPointKind.GATEWAY_UPSTREAM);
    }
  }

  /**
   * An exception of {@code exceptionType} (a public {@link RuntimeException} with a public {@code
   * (String)} constructor) thrown with {@code message} instead of doing the call.
   */
  record Raise(Class<? extends RuntimeException> exceptionType, String message) implements Fault {
    public Raise {
      Objects.requireNonNull(exceptionType, "exceptionType");
      Objects.requireNonNull(message, "message");
      constructor(exceptionType);
    }

    /**
     * The type named {@code className}, checked as for the constructor.
     *
     * @throws IllegalArgumentException naming the class when it is unknown or unusable
     */
    public static Raise of(String className, String message) {
      Class<?> type;
      try {
        type = Class.forName(className, false, Fault.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalArgumentException("exception class " + className + " not found", e);
      }
      if (!RuntimeException.class.isAssignableFrom(type)) {
        throw new IllegalArgumentException(
            "exception class " + className + " is not a RuntimeException");
      }
      return new Raise(type.asSubclass(RuntimeException.class), message);
    }

    /** A new exception of the type, for one faulted call. */
    public RuntimeException newException() {
      try {
        return constructor(exceptionType).newInstance(message);
      } catch (ReflectiveOperationException e) {
        return new IllegalStateException(message, e);
      }
    }

    private static Constructor<? extends RuntimeException> constructor(
        Class<? extends RuntimeException> type) {
      if (Modifier.isAbstract(type.getModifiers()) || !Modifier.isPublic(type.getModifiers())) {
        throw new IllegalArgumentException(
            "exception class " + type.getName() + " must be public and concrete");
      }
      try {
        return type.getConstructor(String.class);
      } catch (NoSuchMethodException e) {
        throw new IllegalArgumentException(
            "exception class " + type.getName() + " has no public (String) constructor", e);
      }
    }

    @Override
    public String type() {
      return "exception";
    }

    @Override
    public Set<FaultPointKind> points() {
      return EnumSet.complementOf(EnumSet.of(FaultPointKind.CLOCK));
    }
  }

  /**
   * A {@link java.sql.SQLException} with {@code sqlState} (5 letters or digits, e.g. {@code 40001}
   * serialization failure, {@code 08006} connection failure) and {@code message}, thrown by the
   * chaos DataSource ({@link io.bulwark.chaos.jdbc.ChaosDataSource}) instead of the JDBC call.
   */
  record SqlError(String sqlState, String message) implements Fault {
    public SqlError {
      Objects.requireNonNull(sqlState, "sqlState");
      Objects.requireNonNull(message, "message");
      if (!sqlState.matches("[0-9A-Z]{5}")) {
        throw new IllegalArgumentException(
            "sql-error SQLState must be 5 digits or upper-case letters, was \"" + sqlState + "\"");
      }
    }

    @Override
    public String type() {
      return "sql-error";
    }

    @Override
    public Set<FaultPointKind> points() {
      return EnumSet.of(FaultPointKind.JDBC);
    }
  }

  /** The call is dropped: it hangs until the caller's deadline (or the fault's end). */
  record Blackhole() implements Fault {
    @Override
    public String type() {
      return "blackhole";
    }

    @Override
    public Set<FaultPointKind> points() {
      return EnumSet.complementOf(EnumSet.of(FaultPointKind.CLOCK));
    }
  }

  /** The HTTP response body is sent at {@code bytesPerSecond}. */
  record SlowBody(long bytesPerSecond) implements Fault {
    public SlowBody {
      if (bytesPerSecond <= 0) {
        throw new IllegalArgumentException(
            "slow-body bytes-per-second must be > 0, was " + bytesPerSecond);
      }
    }

    @Override
    public String type() {
      return "slow-body";
    }

    @Override
    public Set<FaultPointKind> points() {
      return EnumSet.of(FaultPointKind.HTTP_SERVER, FaultPointKind.GATEWAY_UPSTREAM);
    }
  }

  /**
   * Only the first {@code keepBytes} of the HTTP response body are sent; then the connection is
   * cut.
   */
  record TruncatedBody(int keepBytes) implements Fault {
    public TruncatedBody {
      if (keepBytes < 0) {
        throw new IllegalArgumentException(
            "truncated-body keep-bytes must not be negative, was " + keepBytes);
      }
    }

    @Override
    public String type() {
      return "truncated-body";
    }

    @Override
    public Set<FaultPointKind> points() {
      return EnumSet.of(FaultPointKind.HTTP_SERVER, FaultPointKind.GATEWAY_UPSTREAM);
    }
  }

  /** Event deliveries (or appends) happen {@code copies} extra times. */
  record DuplicateDelivery(int copies) implements Fault {
    public DuplicateDelivery {
      if (copies < 1 || copies > 100) {
        throw new IllegalArgumentException("duplicate copies must be 1..100, was " + copies);
      }
    }

    @Override
    public String type() {
      return "duplicate-delivery";
    }

    @Override
    public Set<FaultPointKind> points() {
      return EnumSet.of(FaultPointKind.EVENT_CONSUME, FaultPointKind.EVENT_PRODUCE);
    }
  }

  /** Event deliveries are held back and delivered after up to {@code window} later ones. */
  record ReorderDelivery(int window) implements Fault {
    public ReorderDelivery {
      if (window < 1 || window > 10_000) {
        throw new IllegalArgumentException("reorder window must be 1..10000, was " + window);
      }
    }

    @Override
    public String type() {
      return "reorder-delivery";
    }

    @Override
    public Set<FaultPointKind> points() {
      return EnumSet.of(FaultPointKind.EVENT_CONSUME);
    }
  }

  /**
   * The wall clock of the services given the chaos clock ({@link Chaos#clock}) is off by {@code
   * offset}. Monotonic time is never skewed: {@code Clock.nanoTime()} must not go backwards.
   */
  record ClockSkew(Duration offset) implements Fault {
    public ClockSkew {
      Objects.requireNonNull(offset, "offset");
      if (offset.abs().compareTo(Duration.ofDays(366)) > 0) {
        throw new IllegalArgumentException(
            "clock-skew offset must be within 366 days, was " + offset);
      }
    }

    @Override
    public String type() {
      return "clock-skew";
    }

    @Override
    public Set<FaultPointKind> points() {
      return EnumSet.of(FaultPointKind.CLOCK);
    }
  }

  /** {@code threads} threads each burn one core while active. */
  record CpuBurn(int threads) implements Fault {
    public CpuBurn {
      if (threads < 1 || threads > 1024) {
        throw new IllegalArgumentException("cpu-burn threads must be 1..1024, was " + threads);
      }
    }

    @Override
    public String type() {
      return "cpu-burn";
    }

    @Override
    public Set<FaultPointKind> points() {
      return EnumSet.noneOf(FaultPointKind.class);
    }
  }

  /** {@code bytes} of heap are held while active. */
  record MemoryBallast(long bytes) implements Fault {
    public MemoryBallast {
      if (bytes < 1) {
        throw new IllegalArgumentException("memory-ballast bytes must be > 0, was " + bytes);
      }
    }

    @Override
    public String type() {
      return "memory-ballast";
    }

    @Override
    public Set<FaultPointKind> points() {
      return EnumSet.noneOf(FaultPointKind.class);
    }
  }

  /** Whether this fault acts on the process while active rather than on calls at points. */
  default boolean ambient() {
    return this instanceof CpuBurn || this instanceof MemoryBallast;
  }
}
