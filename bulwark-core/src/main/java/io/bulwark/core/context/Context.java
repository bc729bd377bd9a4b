package io.bulwark.core.context;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;

/**
 * The per-request values that travel with a piece of work: deadline, criticality, correlation id,
 * trace context and baggage. The current context is bound with a {@link ScopedValue}, so it costs
 * nothing to carry, cannot leak between requests, and works the same on virtual threads.
 *
 * <p>A context is immutable: {@code with...} methods return a new one. {@link #run(Runnable)} and
 * {@link #call(Callable)} bind it for the duration of a task. Work handed to another thread keeps
 * its context when it goes through {@link #wrap(Runnable)}, {@link #startVirtualThread(Runnable)}
 * or {@link #newVirtualThreadExecutor()}: the child task sees the context that was current when it
 * was submitted.
 */
public final class Context {
  private static final ScopedValue<Context> CURRENT = ScopedValue.newInstance();
  private static final Context ROOT =
      new Context(null, Criticality.CRITICAL, null, null, Baggage.empty());

  private final @Nullable Deadline deadline;
  private final Criticality criticality;
  private final @Nullable String correlationId;
  private final @Nullable TraceContext trace;
  private final Baggage baggage;
  // Built on the first bind and kept (a context handed on without being bound, e.g. a sampled-out
  // span's, never pays for it). A race builds two equal carriers; either one binds this context.
  private ScopedValue.@Nullable Carrier binding;

  private Context(
      @Nullable Deadline deadline,
      Criticality criticality,
      @Nullable String correlationId,
      @Nullable TraceContext trace,
      Baggage baggage) {
    this.deadline = deadline;
    this.criticality = criticality;
    this.correlationId = correlationId;
    this.trace = trace;
    this.baggage = baggage;
  }

  /**
   * A context of checked parts in one object ({@link ContextHeaders#extract} reads all of a
   * request's headers first): the root itself when every part is absent.
   */
  static Context of(
      @Nullable Deadline deadline,
      Criticality criticality,
      @Nullable String correlationId,
      @Nullable TraceContext trace,
      Baggage baggage) {
    if (deadline == null
        && criticality == ROOT.criticality
        && correlationId == null
        && trace == null
        && baggage.isEmpty()) {
      return ROOT;
    }
    return new Context(deadline, criticality, correlationId, trace, baggage);
  }

  /** The empty context: no deadline, {@link Criticality#CRITICAL}, no ids, no baggage. */
  public static Context root() {
    return ROOT;
  }

  /** The context bound to the running task, or {@link #root()} if none is. */
  public static Context current() {
    return CURRENT.orElse(ROOT);
  }

  public @Nullable Deadline deadline() {
    return deadline;
  }

  public Criticality criticality() {
    return criticality;
  }

  public @Nullable String correlationId() {
    return correlationId;
  }

  public @Nullable TraceContext trace() {
    return trace;
  }

  public Baggage baggage() {
    return baggage;
  }

  /**
   * This context with {@code deadline}, or with the existing deadline if that is earlier: a derived
   * context can shorten the time left, never lengthen it.
   */
  public Context withDeadline(Deadline deadline) {
    Deadline effective = this.deadline == null ? deadline : this.deadline.earliest(deadline);
    return new Context(effective, criticality, correlationId, trace, baggage);
  }

  /** This context with a deadline {@code timeout} from now (or the existing one if earlier). */
  public Context withTimeout(Duration timeout, io.bulwark.core.time.Clock clock) {
    return withDeadline(Deadline.after(timeout, clock));
  }

  /** This context with no deadline at all; for detached background work only. */
  public Context withoutDeadline() {
    return new Context(null, criticality, correlationId, trace, baggage);
  }

  public Context withCriticality(Criticality criticality) {
    return new Context(
        deadline, Objects.requireNonNull(criticality), correlationId, trace, baggage);
  }

  /**
   * This context with a correlation id.
   *
   * @throws IllegalArgumentException if the id is not 1 to 128 visible ASCII characters
   */
  public Context withCorrelationId(String correlationId) {
    CorrelationIds.requireValid(correlationId);
    return new Context(deadline, criticality, correlationId, trace, baggage);
  }

  /**
   * This context with a correlation id and, if not null, a trace: one context where {@code
   * withCorrelationId(id).withTrace(trace)} makes two (a server does this for every request).
   *
   * @throws IllegalArgumentException if the id is not 1 to 128 visible ASCII characters
   */
  public Context withCorrelationIdAndTrace(String correlationId, @Nullable TraceContext trace) {
    CorrelationIds.requireValid(correlationId);
    return new Context(
        deadline, criticality, correlationId, trace == null ? this.trace : trace, baggage);
  }

  public Context withTrace(TraceContext trace) {
    return new Context(
        deadline, criticality, correlationId, Objects.requireNonNull(trace), baggage);
  }

  public Context withBaggage(Baggage baggage) {
    return new Context(
        deadline, criticality, correlationId, trace, Objects.requireNonNull(baggage));
  }

  /** This context with one baggage entry added or replaced. */
  public Context withBaggage(String key, String value) {
    return withBaggage(baggage.with(key, value));
  }

  /** Runs {@code task} with this context as the current one. */
  public void run(Runnable task) {
    binding().run(task);
  }

  /** Calls {@code task} with this context as the current one. */
  public <T> T call(Callable<T> task) throws Exception {
    return binding().call(task::call);
  }

  /** {@code task} bound to the context that is current now, for running on another thread. */
  public static Runnable wrap(Runnable task) {
    Context captured = current();
    return () -> captured.run(task);
  }

  /** {@code task} bound to the context that is current now, for running on another thread. */
  public static <T> Callable<T> wrap(Callable<T> task) {
    Context captured = current();
    return () -> captured.call(task);
  }

  /** Starts a virtual thread that runs {@code task} under the context that is current now. */
  public static Thread startVirtualThread(Runnable task) {
    return Thread.ofVirtual().start(wrap(task));
  }

  /**
   * An executor that runs each task on a new virtual thread under the context that was current when
   * the task was submitted.
   */
  public static ExecutorService newVirtualThreadExecutor() {
    ThreadFactory factory = Thread.ofVirtual().name("bulwark-vt-", 0).factory();
    return new ContextExecutorService(Executors.newThreadPerTaskExecutor(factory));
  }

  @Override
  public String toString() {
    return "Context[deadline="
        + deadline
        + ", criticality="
        + criticality
        + ", correlationId="
        + correlationId
        + ", trace="
        + (trace == null ? null : trace.toTraceparent())
        + ", baggage="
        + baggage.asMap()
        + "]";
  }

  private ScopedValue.Carrier binding() {
    ScopedValue.Carrier carrier = binding;
    if (carrier == null) {
      carrier = ScopedValue.where(CURRENT, this);
      binding = carrier;
    }
    return carrier;
  }
}
