package io.bulwark.http.internal;

import io.bulwark.core.context.Criticality;
import io.bulwark.http.Admission;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Fixed concurrency limit with per-criticality ceilings (see {@link Admission#byCriticality}).
 * Lock-free: one CAS per admission.
 */
public final class CriticalityAdmission implements Admission {
  private final int criticalPlus;
  private final int critical;
  private final int sheddablePlus;
  private final int sheddable;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Permit permit = dropped -> inFlight.decrementAndGet();

  public CriticalityAdmission(int limit) {
    if (limit < 2) {
      throw new IllegalArgumentException("admission limit must be at least 2, was " + limit);
    }
    criticalPlus = share(limit, 1.0);
    critical = share(limit, 0.9);
    sheddablePlus = share(limit, 0.75);
    sheddable = share(limit, 0.5);
  }

  private static int share(int limit, double share) {
    return Math.max(1, (int) Math.floor(limit * share));
  }

  private int ceiling(Criticality criticality) {
    return switch (criticality) {
      case CRITICAL_PLUS -> criticalPlus;
      case CRITICAL -> critical;
      case SHEDDABLE_PLUS -> sheddablePlus;
      case SHEDDABLE -> sheddable;
    };
  }

  @Override
  public @Nullable Permit tryAcquire(Criticality criticality) {
    int ceiling = ceiling(criticality);
    while (true) {
      int current = inFlight.get();
      if (current >= ceiling) {
        return null;
      }
      if (inFlight.compareAndSet(current, current + 1)) {
        return permit;
      }
    }
  }

  /** Requests admitted and not yet released. */
  public int inFlight() {
    return inFlight.get();
  }
}
