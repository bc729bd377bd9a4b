package io.bulwark.core.fault;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.error.DeadlineExceededException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The process-wide hook through which injection points reach the installed {@link FaultInjector}.
 *
 * <p>A point reads {@link #injector()} once per call; while no fault is active it is null and the
 * point does nothing more (no allocation, one volatile read). The chaos module installs its
 * injector when its first fault starts and removes it when the last one ends. One injector at a
 * time.
 */
public final class FaultPoints {
  /**
   * Server routes under this prefix (the chaos admin routes) are never faulted, so that a fault on
   * every route can still be listed and cleared over HTTP.
   */
  public static final String EXEMPT_ROUTE_PREFIX = "/chaos/";

  private static final AtomicReference<@Nullable FaultInjector> INSTALLED = new AtomicReference<>();

  private FaultPoints() {}

  /** The installed injector, or null when no fault is active (the common case). */
  public static @Nullable FaultInjector injector() {
    return INSTALLED.get();
  }

  /**
   * Installs {@code injector}.
   *
   * @return true if installed (or already the installed one); false if another one is installed
   */
  public static boolean install(FaultInjector injector) {
    return INSTALLED.compareAndExchange(null, injector) == null || INSTALLED.get() == injector;
  }

  /** Removes {@code injector} if it is the installed one; returns whether it was. */
  public static boolean uninstall(FaultInjector injector) {
    return INSTALLED.compareAndSet(injector, null);
  }

  /**
   * The action for {@code site}, or null: null at once when no injector is installed.
   *
   * @see FaultInjector#decide
   */
  public static @Nullable FaultAction decide(FaultSite site) {
    FaultInjector injector = INSTALLED.get();
    return injector == null ? null : injector.decide(site);
  }

  /**
   * Applies the generic actions on the calling thread: waits out a {@link FaultAction.Delay},
   * throws a {@link FaultAction.Raise}'s error, hangs on a {@link FaultAction.Blackhole} until the
   * current context's deadline (then throws {@link DeadlineExceededException}) or its maximum hang
   * (then throws {@link FaultInjectedException}). Other actions are left to the point: returns
   * false for them, true once a generic one is applied and the call may go on.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public static boolean apply(FaultInjector injector, FaultAction action)
      throws InterruptedException {
    switch (action) {
      case FaultAction.Delay d -> {
        injector.pause(d.nanos());
        return true;
      }
      case FaultAction.Raise r -> throw r.error();
      case FaultAction.Blackhole b -> throw blackhole(injector, b);
      default -> {
        return false;
      }
    }
  }

  /** Hangs for a blackhole, then returns what to throw. */
  public static RuntimeException blackhole(FaultInjector injector, FaultAction.Blackhole b)
      throws InterruptedException {
    Deadline deadline = Context.current().deadline();
    long hang = b.maxHangNanos();
    if (deadline != null && deadline.remainingNanos() <= hang) {
      injector.pause(Math.max(0, deadline.remainingNanos()));
      return DeadlineExceededException.duringCall(
          "deadline passed in a blackhole injected by chaos fault " + b.tag().faultId());
    }
    injector.pause(Math.max(0, hang));
    return new FaultInjectedException(
        "blackhole of chaos fault " + b.tag().faultId() + " ended with the fault", b.tag());
  }
}
