package io.bulwark.chaos.experiment;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A fault control for the runner's own tests: keeps the active faults (each with a Random seeded
 * from the run's seed and its activation number) and records every call. The system under test asks
 * {@link #errorFor} per request. The chaos engine's own injection is tested in its packages.
 */
final class FakeFaults implements FaultControl {
  record Active(StepFault fault, Random random, long expiresAtNanos) {}

  final Map<String, Active> active = new LinkedHashMap<>();
  final List<String> calls = new ArrayList<>();
  private final io.bulwark.core.time.Clock clock;
  private int next;
  RuntimeException refuse;

  FakeFaults(io.bulwark.core.time.Clock clock) {
    this.clock = clock;
  }

  @Override
  public String activate(StepFault fault, Duration ttl, String experiment, long seed) {
    if (refuse != null) {
      throw refuse;
    }
    String id = "f" + next++;
    active.put(
        id, new Active(fault, new Random(seed * 31 + next), clock.nanoTime() + ttl.toNanos()));
    calls.add(id + " on " + fault.type() + " " + fault.percent() + "% ttl " + ttl.toMillis());
    return id;
  }

  @Override
  public void deactivate(String id) {
    if (active.remove(id) != null) {
      calls.add(id + " off");
    }
  }

  /** True if an active, unexpired error fault picks this request. */
  boolean errorFor(String point) {
    for (Active a : active.values()) {
      if (a.expiresAtNanos() > clock.nanoTime()
          && a.fault().points().contains(point)
          && a.fault().type().equals("http-error")
          && a.random().nextDouble() * 100 < a.fault().percent()) {
        return true;
      }
    }
    return false;
  }

  long activeUnexpired() {
    return active.values().stream().filter(a -> a.expiresAtNanos() > clock.nanoTime()).count();
  }
}
