package io.bulwark.examples.shop.load;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The users: an open-loop load at a fixed rate.
 *
 * <p>Guarantees: request {@code i} of the {@link LoadPlan} is started at its intended time {@code
 * t0 + i / rate} on a virtual thread of its own, whether or not earlier requests finished, so a
 * slow shop cannot slow the schedule (overload stays visible). Latency is measured from the
 * intended start, not from when the call was sent, so a late send counts against the shop (no
 * coordinated omission). A call that takes longer than the timeout is an error. The generator uses
 * plain JDK HTTP calls and never a Bulwark resilience policy.
 *
 * <p>{@link #run()} blocks for the duration, waits for the requests in flight (each ends by its
 * timeout), and returns the {@link LoadReport}. Interval listeners hear one {@link LoadInterval}
 * per second on the sampler's thread; they must be quick and must not throw.
 */
public final class LoadGenerator {
  private final LoadOptions options;
  private final LoadPlan plan;
  private final Function<String, URI> targets;
  private final @Nullable URI edge;
  private final Map<String, URI> resolved = new ConcurrentHashMap<>();
  private final List<Consumer<LoadInterval>> listeners = new CopyOnWriteArrayList<>();
  private final LoadRecorder recorder = new LoadRecorder();
  private final AtomicLong scheduled = new AtomicLong();
  private volatile double rateFactor = 1;
  private volatile boolean stopped;
  private volatile @Nullable Thread scheduler;

  /**
   * @param options rate, duration, timeout
   * @param plan the request sequence
   * @param targets the base URI ({@code http://127.0.0.1:port}) of {@code web-bff}, {@code
   *     mobile-bff} and {@code catalog}; asked once per service. Without an edge a customer's
   *     request sends the customer as {@code x-customer-id}, standing in for the gateway
   */
  public LoadGenerator(LoadOptions options, LoadPlan plan, Function<String, URI> targets) {
    this(options, plan, targets, null);
  }

  private LoadGenerator(
      LoadOptions options, LoadPlan plan, Function<String, URI> targets, @Nullable URI edge) {
    this.options = Objects.requireNonNull(options, "options");
    this.plan = Objects.requireNonNull(plan, "plan");
    this.targets = Objects.requireNonNull(targets, "targets");
    this.edge = edge;
  }

  /**
   * Users who go through the shop's edge (its gateway) only: every call goes to {@code edge}, and a
   * request with a customer logs that customer in first ({@code POST /login}, the token kept until
   * shortly before it expires) and sends its token, as a browser session would.
   *
   * @param edge {@code http://host:port} of the gateway's public listener
   */
  public static LoadGenerator throughEdge(LoadOptions options, LoadPlan plan, URI edge) {
    Objects.requireNonNull(edge, "edge");
    return new LoadGenerator(options, plan, service -> edge, edge);
  }

  /** Hears each second's {@link LoadInterval}. */
  public void addListener(Consumer<LoadInterval> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Stops scheduling new requests; {@link #run()} then returns once the requests in flight end. */
  public void stop() {
    stopped = true;
    Thread thread = scheduler;
    if (thread != null) {
      LockSupport.unpark(thread);
    }
  }

  /**
   * Sets the rate to {@code factor} × the options' rate from the next scheduled request on (a
   * traffic spike; 1: the options' rate). The schedule stays open-loop: at factor {@code f},
   * request {@code i+1} is intended {@code 1 / (f × rate)} after request {@code i}; the run still
   * ends after its duration.
   *
   * @throws IllegalArgumentException unless {@code factor × rate} is a valid rate
   */
  public void rateFactor(double factor) {
    if (!(factor > 0)) {
      throw new IllegalArgumentException("rate factor must be above 0, was " + factor);
    }
    LoadOptions.checkRate(factor * options.rate());
    rateFactor = factor;
  }

  /** Runs the load on the calling thread for the duration and reports what the users saw. */
  public LoadReport run() {
    scheduler = Thread.currentThread();
    long t0 = System.nanoTime();
    Sampler sampler = new Sampler(t0);
    Thread samplerThread = Thread.ofVirtual().name("load-sampler").start(sampler);
    try (ExecutorService users = Executors.newVirtualThreadPerTaskExecutor();
        UserCalls calls = new UserCalls(options.timeout(), this::baseUri, recorder, edge)) {
      // position in units of requests at the options' rate: +1 per request at factor 1 (the
      // schedule of LoadOptions exactly), +1/f at factor f
      int total = options.scheduledRequests();
      double position = 0;
      for (int i = 0; position < total; i++) {
        long intended = t0 + options.intendedOffsetNanos(position);
        if (!waitUntil(intended)) {
          break;
        }
        PlannedRequest request = plan.request(i);
        users.execute(() -> calls.perform(request, intended));
        scheduled.incrementAndGet();
        position += 1 / rateFactor;
      }
      waitUntil(t0 + options.duration().toNanos());
      users.shutdown();
      awaitInFlight(users);
    } finally {
      sampler.finish();
      joinQuietly(samplerThread);
      scheduler = null;
    }
    return recorder.report(options, scheduled.get());
  }

  /** What the users saw so far (safe to call while {@link #run()} runs, e.g. once a second). */
  public LoadReport snapshot() {
    return recorder.report(options, scheduled.get());
  }

  private void awaitInFlight(ExecutorService users) {
    try {
      if (!users.awaitTermination(options.timeout().toMillis() * 3 + 1000, TimeUnit.MILLISECONDS)) {
        users.shutdownNow();
      }
    } catch (InterruptedException e) {
      users.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private URI baseUri(String service) {
    return resolved.computeIfAbsent(service, targets);
  }

  /** Parks until {@code deadline} (System.nanoTime); false once stopped. */
  private boolean waitUntil(long deadline) {
    long left;
    while (!stopped && (left = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
    return !stopped;
  }

  private static void joinQuietly(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Takes one interval per second until finished, then the last partial one. */
  private final class Sampler implements Runnable {
    private final long t0;
    private volatile boolean finished;

    Sampler(long t0) {
      this.t0 = t0;
    }

    void finish() {
      finished = true;
    }

    @Override
    public void run() {
      int second = 0;
      while (!finished) {
        long due = t0 + (second + 1) * 1_000_000_000L;
        long left = due - System.nanoTime();
        if (left > 0) {
          LockSupport.parkNanos(Math.min(left, 50_000_000L));
          continue;
        }
        publish(recorder.takeInterval(second++));
      }
      LoadInterval last = recorder.takeInterval(second);
      if (last.requests() > 0) {
        publish(last);
      }
    }

    private void publish(LoadInterval interval) {
      for (Consumer<LoadInterval> listener : listeners) {
        try {
          listener.accept(interval);
        } catch (RuntimeException e) {
          // a listener that throws is ignored for this interval (documented contract)
        }
      }
    }
  }
}
