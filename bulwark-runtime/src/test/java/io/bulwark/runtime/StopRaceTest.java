package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime's stop against operations racing it, and the threads of killed instances. */
class StopRaceTest {
  @TempDir Path root;
  private final List<Thread> loops = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> ports = new ConcurrentHashMap<>();

  private RuntimeOptions options() {
    return RuntimeOptions.builder(root)
        .readinessTimeout(Duration.ofSeconds(10))
        .drainBudget(Duration.ofSeconds(20))
        .build();
  }

  private SystemRuntime twoInstances(ServiceFactory factory) {
    SystemModel model =
        SystemModel.builder("s")
            .service(ServiceSpec.builder("inventory", factory).instances(2).build())
            .build();
    SystemRuntime runtime = SystemRuntime.inProcess(model, options());
    runtime.addListener(
        new RuntimeListener() {
          @Override
          public void onReady(InstanceHandle instance, int port, Duration took) {
            ports.put(instance.id() + "@" + instance.version(), port);
          }
        });
    return runtime;
  }

  @Test
  void aDeployRacingTheRuntimeStopNeverBringsTheInstanceBack() throws Exception {
    Set<Thread> before = Probe.runtimeThreads();
    AtomicReference<Throwable> deployOutcome = new AtomicReference<>();
    SystemRuntime runtime = twoInstances(ctx -> ServiceInstance.none());
    runtime.start();
    // the runtime stops inventory-2, then inventory-1; while it stops inventory-1, another
    // thread deploys the already stopped inventory-2
    runtime.addListener(
        new RuntimeListener() {
          @Override
          public void onStopped(InstanceHandle instance) {
            if (!instance.id().equals("inventory-1")) {
              return;
            }
            Thread deploy =
                Thread.ofVirtual()
                    .start(
                        () -> {
                          try {
                            runtime.instance("inventory-2").deploy("2.0.0");
                            deployOutcome.set(new AssertionError("deploy succeeded"));
                          } catch (RuntimeException e) {
                            deployOutcome.set(e);
                          }
                        });
            try {
              assertThat(deploy.join(Duration.ofSeconds(30))).isTrue();
            } catch (InterruptedException e) {
              throw new AssertionError(e);
            }
          }
        });

    runtime.stop();

    assertThat(deployOutcome.get())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("system s is not running");
    assertThat(ports).doesNotContainKey("inventory-2@2.0.0");
    assertThat(runtime.instance("inventory-2").state()).isNotEqualTo(InstanceState.READY);
    for (int port : ports.values()) {
      Probe.assertFree(port);
    }
    Set<Thread> started = Probe.runtimeThreads("inventory-");
    started.removeAll(before);
    assertThat(Probe.survivors(started)).isEmpty();
  }

  @Test
  void aStopDuringTheStartCancelsTheStartInsteadOfWaitingForIt() throws Exception {
    Set<Thread> before = Probe.runtimeThreads();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    SystemRuntime runtime =
        twoInstances(
            ctx -> {
              if (ctx.index() == 2) {
                entered.countDown();
                try {
                  // a factory that would take longer than any test: only an interrupt ends it
                  new CountDownLatch(1).await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  interrupted.countDown();
                  throw e;
                }
              }
              return ServiceInstance.none();
            });
    CompletableFuture<Throwable> start = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                runtime.start();
                start.complete(new AssertionError("start succeeded"));
              } catch (RuntimeException e) {
                start.complete(e);
              }
            });
    assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> stop = CompletableFuture.runAsync(runtime::stop);

    stop.get(30, TimeUnit.SECONDS);
    assertThat(interrupted.getCount()).isZero();
    assertThat(start.get(30, TimeUnit.SECONDS))
        .isInstanceOf(RuntimeStartException.class)
        .hasMessage("inventory-2: start cancelled: system s is stopping");
    assertThat(runtime.instances()).isNotEmpty().noneMatch(h -> h.state() == InstanceState.READY);
    assertThat(ports).containsOnlyKeys("inventory-1@1.0.0");
    Probe.assertFree(ports.get("inventory-1@1.0.0"));
    assertThatThrownBy(runtime::start).isInstanceOf(IllegalStateException.class);
    Set<Thread> started = Probe.runtimeThreads("inventory-");
    started.removeAll(before);
    assertThat(Probe.survivors(started)).isEmpty();
  }

  /**
   * Instance 1 runs a loop whose cleanup, once it is told to end (stopping or interrupted), takes a
   * while (a timed wait nobody ends early) and then counts down {@code cleanedUp}: it stands for a
   * loop finishing the write it was in when its instance was killed. Instance 2 runs no loop.
   */
  private ServiceFactory slowToDie(CountDownLatch cleanedUp) {
    return ctx -> {
      if (ctx.index() == 1) {
        loops.add(ctx.background("loop", () -> slowLoop(ctx, cleanedUp)));
      }
      return ServiceInstance.none();
    };
  }

  private static void slowLoop(InstanceContext ctx, CountDownLatch cleanedUp) {
    while (!ctx.stopping() && !Thread.currentThread().isInterrupted()) {
      LockSupport.parkNanos(5_000_000);
    }
    Thread.interrupted();
    try {
      new CountDownLatch(1).await(1500, TimeUnit.MILLISECONDS);
    } catch (InterruptedException again) {
      Thread.currentThread().interrupt();
    }
    cleanedUp.countDown();
  }

  @Test
  void theRuntimeStopWaitsForTheThreadsOfAKilledInstance() throws Exception {
    CountDownLatch cleanedUp = new CountDownLatch(1);
    SystemRuntime runtime = twoInstances(slowToDie(cleanedUp));
    runtime.start();
    Set<Thread> threads = new HashSet<>(Probe.runtimeThreads());
    threads.addAll(loops);
    assertThat(loops).hasSize(1);

    runtime.instance("inventory-1").kill();
    runtime.stop();

    assertThat(cleanedUp.getCount()).as("the killed loop ended before stop returned").isZero();
    assertThat(loops).isNotEmpty().noneMatch(Thread::isAlive);
    assertThat(Probe.survivors(threads)).isEmpty();
  }

  @Test
  void aRestartAfterAKillWaitsForTheKilledIncarnationsThreads() throws Exception {
    CountDownLatch cleanedUp = new CountDownLatch(1);
    try (SystemRuntime runtime = twoInstances(slowToDie(cleanedUp))) {
      runtime.start();
      InstanceHandle inventory = runtime.instance("inventory-1");
      Thread old = loops.get(0);
      assertThat(old.getName()).isEqualTo("inventory-1-loop");

      inventory.kill();
      inventory.restart();

      assertThat(cleanedUp.getCount()).as("the old loop ended before the new start").isZero();
      assertThat(old.isAlive()).isFalse();
      assertThat(inventory.state()).isEqualTo(InstanceState.READY);
      assertThat(loops).hasSize(2);
      assertThat(loops.get(1).isAlive()).isTrue();
    }
  }
}
