package io.bulwark.examples.shop.demo;

import io.bulwark.examples.shop.InvariantReport;
import io.bulwark.examples.shop.gameday.StepEvent;
import io.bulwark.examples.shop.load.LoadReport;
import io.bulwark.runtime.BreakerView;
import io.bulwark.runtime.RuntimeEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One run of the demo: what the users saw, the SLO verdicts on it, the shop's invariants, the game
 * day's steps as they happened and every circuit breaker seen open.
 *
 * @param resilience whether the shop ran with resilience on
 * @param scenario the scenario's name
 * @param load what the users saw
 * @param slos the SLO verdicts on {@code load}
 * @param invariants the invariants from the shop's stores, or null when the run was interrupted
 * @param steps the game day's steps as they ran
 * @param breakersOpened every breaker that any sample saw OPEN (first sighting), plus any whose
 *     final state has transitions
 * @param startup how long the shop took to start
 * @param instancePorts every port each instance was seen listening on during the run (a deploy or
 *     restart binds a new one), to tell which instance an endpoint breaker ({@code
 *     service@127.0.0.1:port}) was about
 * @param runtimeEvents what the runtime did during the load: rollouts and rollbacks, kills,
 *     partitions and heals, scaling (oldest first)
 */
public record RunResult(
    boolean resilience,
    String scenario,
    LoadReport load,
    List<SloVerdict> slos,
    @Nullable InvariantReport invariants,
    List<StepEvent> steps,
    List<BreakerView> breakersOpened,
    Duration startup,
    Map<String, Set<Integer>> instancePorts,
    List<RuntimeEvent> runtimeEvents) {

  public RunResult {
    runtimeEvents = List.copyOf(runtimeEvents);
    slos = List.copyOf(slos);
    steps = List.copyOf(steps);
    breakersOpened = List.copyOf(breakersOpened);
    instancePorts = Map.copyOf(instancePorts);
  }

  /**
   * True when every SLO, every invariant and every guarantee step held (false for an interrupted
   * run).
   */
  public boolean passed() {
    return UserSlos.allHold(slos)
        && invariants != null
        && invariants.holds()
        && steps.stream().noneMatch(e -> e.step().guarantee() && !e.ok());
  }

  /** The runtime's events of {@code kind} during the load. */
  public List<RuntimeEvent> events(RuntimeEvent.Kind kind) {
    return runtimeEvents.stream().filter(e -> e.kind() == kind).toList();
  }

  /** "on" or "off". */
  public String label() {
    return resilience ? "on" : "off";
  }
}
