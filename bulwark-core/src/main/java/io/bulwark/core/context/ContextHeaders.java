package io.bulwark.core.context;

import io.bulwark.core.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Carries a {@link Context} over HTTP (or any string headers): W3C {@code traceparent}, {@code
 * tracestate} and {@code baggage}, plus {@code bulwark-deadline} (remaining milliseconds), {@code
 * bulwark-criticality} and {@code bulwark-correlation-id}.
 *
 * <p>Decoding never trusts the caller more than configured: a received deadline is capped at {@link
 * Builder#maxDeadline(Duration)}, and a malformed value fails with a {@link
 * MalformedHeaderException} naming the header and value rather than being half-understood.
 * Immutable and thread-safe.
 */
public final class ContextHeaders {
  public static final String TRACEPARENT = "traceparent";
  public static final String TRACESTATE = "tracestate";
  public static final String BAGGAGE = "baggage";
  public static final String DEADLINE = "bulwark-deadline";
  public static final String CRITICALITY = "bulwark-criticality";
  public static final String CORRELATION_ID = "bulwark-correlation-id";

  private static final int MAX_DEADLINE_DIGITS = 18;

  private final Clock clock;
  private final Duration maxDeadline;
  private final @Nullable Duration defaultDeadline;

  private ContextHeaders(Builder builder) {
    this.clock = builder.clock;
    this.maxDeadline = builder.maxDeadline;
    this.defaultDeadline = builder.defaultDeadline;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Writes {@code context} as headers; absent values write no header. */
  public void inject(Context context, BiConsumer<String, String> headers) {
    TraceContext trace = context.trace();
    if (trace != null) {
      headers.accept(TRACEPARENT, trace.toTraceparent());
      String state = trace.traceState();
      if (state != null && !state.isEmpty()) {
        headers.accept(TRACESTATE, state);
      }
    }
    if (!context.baggage().isEmpty()) {
      headers.accept(BAGGAGE, BaggageCodec.encode(context.baggage()));
    }
    Deadline deadline = context.deadline();
    if (deadline != null) {
      long remainingMillis = Math.max(0, deadline.remainingNanos() / 1_000_000);
      headers.accept(DEADLINE, Long.toString(remainingMillis));
    }
    if (context.criticality() != Criticality.CRITICAL) {
      headers.accept(CRITICALITY, context.criticality().headerValue());
    }
    String correlationId = context.correlationId();
    if (correlationId != null) {
      headers.accept(CORRELATION_ID, correlationId);
    }
  }

  /**
   * Reads a context from headers. {@code headers} returns a header's value by lowercase name, or
   * null if absent. A received deadline is capped at the configured maximum; with no deadline
   * header the configured default (if any) applies.
   *
   * @throws MalformedHeaderException if any context header is malformed
   */
  public Context extract(Function<String, @Nullable String> headers) {
    // each part is read and checked first, then one context is made (not one per header present)
    TraceContext trace = null;
    String traceparent = headers.apply(TRACEPARENT);
    if (traceparent != null) {
      trace = parseTraceparent(traceparent, headers.apply(TRACESTATE));
    }
    Baggage baggage = Baggage.empty();
    String baggageHeader = headers.apply(BAGGAGE);
    if (baggageHeader != null) {
      try {
        baggage = BaggageCodec.decode(baggageHeader);
      } catch (IllegalArgumentException e) {
        throw new MalformedHeaderException(BAGGAGE, baggageHeader, String.valueOf(e.getMessage()));
      }
    }
    Deadline deadline = null;
    String deadlineHeader = headers.apply(DEADLINE);
    if (deadlineHeader != null) {
      deadline = Deadline.after(parseDeadline(deadlineHeader), clock);
    } else if (defaultDeadline != null) {
      deadline = Deadline.after(defaultDeadline, clock);
    }
    Criticality criticality = Criticality.CRITICAL;
    String criticalityHeader = headers.apply(CRITICALITY);
    if (criticalityHeader != null) {
      try {
        criticality = Criticality.parse(criticalityHeader);
      } catch (IllegalArgumentException e) {
        throw new MalformedHeaderException(
            CRITICALITY, criticalityHeader, String.valueOf(e.getMessage()));
      }
    }
    String correlationId = headers.apply(CORRELATION_ID);
    if (correlationId != null && !CorrelationIds.isValid(correlationId)) {
      throw new MalformedHeaderException(
          CORRELATION_ID,
          correlationId,
          "expected 1 to " + CorrelationIds.MAX_LENGTH + " visible ASCII characters");
    }
    return Context.of(deadline, criticality, correlationId, trace, baggage);
  }

  private Duration parseDeadline(String value) {
    String v = value.strip();
    if (v.isEmpty()
        || v.length() > MAX_DEADLINE_DIGITS
        || !v.chars().allMatch(Character::isDigit)) {
      throw new MalformedHeaderException(
          DEADLINE,
          value,
          "expected the remaining time as a non-negative whole number of milliseconds");
    }
    Duration received = Duration.ofMillis(Long.parseLong(v));
    return received.compareTo(maxDeadline) > 0 ? maxDeadline : received;
  }

  /** Parses a W3C {@code traceparent} header (any version but {@code ff}). */
  static TraceContext parseTraceparent(String value, @Nullable String traceState) {
    String v = value.strip();
    if (v.length() < 55) {
      throw malformedTraceparent(
          value, "expected 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>");
    }
    if (!TraceContext.isLowerHex(v, 0, 2) || v.startsWith("ff")) {
      throw malformedTraceparent(value, "bad version \"" + v.substring(0, 2) + "\"");
    }
    boolean version00 = v.startsWith("00");
    if ((version00 && v.length() != 55) || (!version00 && v.length() > 55 && v.charAt(55) != '-')) {
      throw malformedTraceparent(
          value, "unexpected length " + v.length() + " for version " + v.substring(0, 2));
    }
    if (v.charAt(2) != '-' || v.charAt(35) != '-' || v.charAt(52) != '-') {
      throw malformedTraceparent(value, "fields must be separated by '-'");
    }
    if (!TraceContext.isLowerHex(v, 53, 55)) {
      throw malformedTraceparent(value, "flags must be 2 lowercase hex digits");
    }
    try {
      return TraceContext.fromTraceparent(v, traceState);
    } catch (IllegalArgumentException e) {
      throw malformedTraceparent(value, Objects.requireNonNullElse(e.getMessage(), "invalid"));
    }
  }

  private static MalformedHeaderException malformedTraceparent(String value, String reason) {
    return new MalformedHeaderException(TRACEPARENT, value, reason);
  }

  /** Builds a {@link ContextHeaders}; every setter validates its argument. */
  public static final class Builder {
    private Clock clock = Clock.system();
    private Duration maxDeadline = Duration.ofSeconds(60);
    private @Nullable Duration defaultDeadline;

    private Builder() {}

    /** The clock on which received deadlines are measured. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The longest deadline trusted from a caller (default 60 s); longer ones are cut to this. */
    public Builder maxDeadline(Duration maxDeadline) {
      if (maxDeadline.isNegative() || maxDeadline.isZero()) {
        throw new IllegalArgumentException("maxDeadline must be positive, was " + maxDeadline);
      }
      this.maxDeadline = maxDeadline;
      return this;
    }

    /** The deadline given to requests that carry none (default: none). Capped by maxDeadline. */
    public Builder defaultDeadline(Duration defaultDeadline) {
      if (defaultDeadline.isNegative() || defaultDeadline.isZero()) {
        throw new IllegalArgumentException(
            "defaultDeadline must be positive, was " + defaultDeadline);
      }
      this.defaultDeadline = defaultDeadline;
      return this;
    }

    public ContextHeaders build() {
      Duration effectiveDefault = defaultDeadline;
      if (effectiveDefault != null && effectiveDefault.compareTo(maxDeadline) > 0) {
        throw new IllegalArgumentException(
            "defaultDeadline " + effectiveDefault + " is longer than maxDeadline " + maxDeadline);
      }
      return new ContextHeaders(this);
    }
  }
}
