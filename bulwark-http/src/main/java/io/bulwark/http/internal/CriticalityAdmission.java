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
  private static final double[] SHARE = {1.0, 0.9, 0.75, 0.5};

  private final int[] ceilings = new int[SHARE.length];
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Permit permit = dropped -> inFlight.decrementAndGet();

  public CriticalityAdmission(int limit) {
    if (limit < 2) {
      throw new IllegalArgumentException("admission limit must be at least 2, was " + limit);
    }
    for (Criticality c : Criticality.values()) {
      ceilings[c.ordinal()] = Math.max(1, (int) Math.floor(limit * SHARE[c.ordinal()]));
    }
  }

  @Override
  public @Nullable Permit tryAcquire(Criticality criticality) {
    int ceiling = ceilings[criticality.ordinal()];
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
