package io.bulwark.runtime.internal;

import io.bulwark.core.time.Scheduler;
import io.bulwark.runtime.InstanceState;
import io.bulwark.runtime.RolloutPolicy;
import io.bulwark.runtime.RolloutResult;
import io.bulwark.runtime.RolloutResult.Outcome;
import io.bulwark.runtime.RolloutResult.Step;
import io.bulwark.runtime.RuntimeEvent;
import io.bulwark.runtime.RuntimeStartException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One rolling deploy with canary analysis (see {@link
 * io.bulwark.runtime.SystemRuntime#rollingDeploy}). Moves one instance at a time; after each move
 * it watches a window of {@link RolloutPolicy#bake()} on the runtime's clock and compares the
 * new-version instances with the old-version ones over that same window. When no old instance is
 * left (the last step, or a one-instance service), the old side is the previous window's, or for a
 * one-instance service a baseline window measured before the first move.
 */
final class Rollout {
  private final InProcessRuntime runtime;
  private final String service;
  private final String version;
  private final RolloutPolicy policy;

  Rollout(InProcessRuntime runtime, String service, String version, RolloutPolicy policy) {
    this.runtime = runtime;
    this.service = service;
    this.version = version;
    this.policy = policy;
  }

  static Step judge(
      RolloutPolicy policy, String instance, InstanceMeter.Counts fresh, InstanceMeter.Counts old) {
    return CanaryJudge.judge(
        policy, instance, fresh.requests(), fresh.bad(), old.requests(), old.bad());
  }

  RolloutResult run() {
    List<Instance> all = runtime.serviceInstances(service);
    String from = all.getFirst().version();
    if (from.equals(version)) {
      runtime.event(RuntimeEvent.Kind.ROLLOUT_COMPLETED, service, null, "already at " + version);
      return new RolloutResult(
          service, from, version, Outcome.COMPLETED, "already at " + version, List.of());
    }
    List<Step> steps = new ArrayList<>();
    List<Instance> moved = new ArrayList<>();
    InstanceMeter.Counts lastOld = InstanceMeter.Counts.ZERO;
    if (all.size() == 1) {
      lastOld = window(all, List.of(), InstanceMeter.Counts.ZERO).old;
    }
    for (Instance instance : all) {
      try {
        instance.deploy(version);
      } catch (RuntimeStartException e) {
        moved.add(instance);
        rollBack(moved, from);
        String reason = instance.id() + " did not start v" + version + ": " + e.getMessage();
        runtime.event(RuntimeEvent.Kind.ROLLED_BACK, service, instance.id(), reason);
        return new RolloutResult(service, from, version, Outcome.FAILED_TO_START, reason, steps);
      }
      moved.add(instance);
      List<Instance> old = new ArrayList<>(all);
      old.removeAll(moved);
      old.removeIf(i -> i.state() != InstanceState.READY);
      Window w = window(old, moved, lastOld);
      InstanceMeter.Counts oldSide = old.isEmpty() ? lastOld : w.old;
      if (!old.isEmpty()) {
        lastOld = w.old;
      }
      Step step = judge(policy, instance.id(), w.fresh, oldSide);
      steps.add(step);
      runtime.event(RuntimeEvent.Kind.ROLLOUT_STEP, service, instance.id(), describe(step));
      if (!step.passed()) {
        rollBack(moved, from);
        String reason = "v" + version + " worse than v" + from + ": " + describe(step);
        runtime.event(RuntimeEvent.Kind.ROLLED_BACK, service, null, reason);
        return new RolloutResult(service, from, version, Outcome.ROLLED_BACK, reason, steps);
      }
    }
    runtime.event(
        RuntimeEvent.Kind.ROLLOUT_COMPLETED, service, null, from + " -> " + version + " completed");
    return new RolloutResult(service, from, version, Outcome.COMPLETED, "completed", steps);
  }

  private void rollBack(List<Instance> moved, String from) {
    for (int i = moved.size() - 1; i >= 0; i--) {
      moved.get(i).deploy(from);
    }
  }

  private record Window(InstanceMeter.Counts old, InstanceMeter.Counts fresh) {}

  /**
   * Waits one bake window (more, up to maxWait, until the new side answered minRequests or its
   * failures already decide the step; none when there is no new side) and returns what each side
   * answered in it. {@code baseline}: the old side's counts to judge against when {@code old} is
   * empty.
   */
  private Window window(List<Instance> old, List<Instance> fresh, InstanceMeter.Counts baseline) {
    Map<Instance, InstanceMeter.Counts> start = new HashMap<>();
    for (Instance i : old) {
      start.put(i, i.meter().counts());
    }
    for (Instance i : fresh) {
      start.put(i, i.meter().counts());
    }
    Scheduler scheduler = runtime.parts().scheduler;
    long began = scheduler.clock().nanoTime();
    long maxWait = policy.maxWait().toNanos();
    String watching =
        "baking: watching " + fresh.size() + " new and " + old.size() + " old instances";
    while (true) {
      await(scheduler, policy.bake().toNanos(), watching);
      InstanceMeter.Counts freshSide = sum(fresh, start);
      InstanceMeter.Counts oldSide = sum(old, start);
      long waited = scheduler.clock().nanoTime() - began;
      if (fresh.isEmpty()
          || freshSide.requests() >= policy.minRequests()
          || waited + policy.bake().toNanos() > maxWait
          || decidedWorse(freshSide, old.isEmpty() ? baseline : oldSide)) {
        return new Window(oldSide, freshSide);
      }
      watching =
          "baking: "
              + freshSide.requests()
              + " of "
              + policy.minRequests()
              + " answers from the new side, watching another window";
    }
  }

  private boolean decidedWorse(InstanceMeter.Counts fresh, InstanceMeter.Counts old) {
    return CanaryJudge.decidedWorse(
        policy, fresh.requests(), fresh.bad(), old.requests(), old.bad());
  }

  private static InstanceMeter.Counts sum(
      List<Instance> instances, Map<Instance, InstanceMeter.Counts> start) {
    InstanceMeter.Counts total = InstanceMeter.Counts.ZERO;
    for (Instance i : instances) {
      InstanceMeter.Counts s = start.get(i);
      total = total.plus(i.meter().counts().minus(s == null ? InstanceMeter.Counts.ZERO : s));
    }
    return total;
  }

  /**
   * Waits {@code nanos} on the runtime's scheduler (virtual time in tests), announcing {@code what}
   * as a {@code ROLLOUT_STEP} event once the wait is scheduled (a test on virtual time advances the
   * clock when it hears it).
   */
  private void await(Scheduler scheduler, long nanos, String what) {
    CountDownLatch done = new CountDownLatch(1);
    var task = scheduler.schedule(nanos, done::countDown);
    try {
      runtime.event(RuntimeEvent.Kind.ROLLOUT_STEP, service, null, what);
      while (!done.await(100, TimeUnit.MILLISECONDS)) {
        runtime.parts(); // throws once the system is stopping
      }
    } catch (InterruptedException e) {
      task.cancel();
      Thread.currentThread().interrupt();
      throw new IllegalStateException(service + ": rollout interrupted", e);
    } catch (RuntimeException e) {
      task.cancel();
      throw e;
    }
  }

  static String describe(@Nullable Step s) {
    if (s == null) {
      return "";
    }
    return String.format(
        Locale.ROOT,
        "%s: new %d req %.3f err (burn %.2f) vs old %d req %.3f err (burn %.2f) -> %s",
        s.instance(),
        s.newRequests(),
        s.newErrorRate(),
        s.newBurnRate(),
        s.oldRequests(),
        s.oldErrorRate(),
        s.oldBurnRate(),
        s.passed() ? "pass" : "FAIL");
  }
}
