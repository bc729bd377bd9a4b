package io.bulwark.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-loop timer wheel behind the gateway's upstream attempt deadlines, on real event loops. A
 * small wheel (1 ms ticks, 8 buckets: one revolution is 8 ms) makes deadlines span several
 * revolutions within a short test. Absence is proven with a marker deadline that must fire first.
 */
class LoopTimeoutsTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  Vertx vertx;
  LoopTimeouts timeouts;

  /** A timeout that records when and on which thread it fired. */
  static final class Probe extends LoopTimeouts.Timeout {
    final String name;
    final List<String> log;
    final CompletableFuture<Long> firedAt = new CompletableFuture<>();
    volatile Thread firedOn;
    Runnable onExpiry = () -> {};

    Probe(String name, List<String> log) {
      this.name = name;
      this.log = log;
    }

    @Override
    void expired() {
      firedOn = Thread.currentThread();
      log.add(name);
      onExpiry.run();
      firedAt.complete(System.nanoTime());
    }
  }

  @BeforeEach
  void start() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    timeouts = new LoopTimeouts(MS, 8);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private <T> T on(Context ctx, Supplier<T> action) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    ctx.runOnContext(
        v -> {
          try {
            f.complete(action.get());
          } catch (RuntimeException e) {
            f.completeExceptionally(e);
          }
        });
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void firesOnceOnTheArmingLoopAndNeverBeforeItsDeadlineAcrossRevolutions() throws Exception {
    Context ctx = ListenerLoops.next(vertx);
    List<String> log = new CopyOnWriteArrayList<>();
    Probe late = new Probe("late", log); // 37 ms: several revolutions of the 8 ms wheel
    Probe soon = new Probe("soon", log); // 3 ms
    Probe mid = new Probe("mid", log); // 19 ms
    long[] armedAt = new long[1];
    Thread loop =
        on(
            ctx,
            () -> {
              armedAt[0] = System.nanoTime();
              assertThat(timeouts.arm(late, 37 * MS)).isTrue();
              assertThat(timeouts.arm(soon, 3 * MS)).isTrue();
              assertThat(timeouts.arm(mid, 19 * MS)).isTrue();
              assertThat(timeouts.armedOnThisLoop()).isEqualTo(3);
              return Thread.currentThread();
            });
    long lateAt = late.firedAt.get(10, TimeUnit.SECONDS);
    mid.firedAt.get(10, TimeUnit.SECONDS);
    soon.firedAt.get(10, TimeUnit.SECONDS);
    // each exactly once; the order is the deadlines' unless the loop stalled past several of them
    assertThat(log).containsExactlyInAnyOrder("soon", "mid", "late");
    assertThat(soon.firedAt.get() - armedAt[0]).isGreaterThanOrEqualTo(3 * MS);
    assertThat(mid.firedAt.get() - armedAt[0]).isGreaterThanOrEqualTo(19 * MS);
    assertThat(lateAt - armedAt[0]).isGreaterThanOrEqualTo(37 * MS);
    assertThat(List.of(soon.firedOn, mid.firedOn, late.firedOn)).containsOnly(loop);
    assertThat(on(ctx, timeouts::armedOnThisLoop)).isZero();
    assertThat(late.armed()).isFalse();
  }

  @Test
  void aCancelledTimeoutNeverFiresAndCanBeArmedAgain() throws Exception {
    Context ctx = ListenerLoops.next(vertx);
    List<String> log = new CopyOnWriteArrayList<>();
    Probe cancelled = new Probe("cancelled", log);
    Probe marker = new Probe("marker", log);
    on(
        ctx,
        () -> {
          timeouts.arm(cancelled, 2 * MS);
          timeouts.arm(marker, 12 * MS); // fires after the cancelled one would have
          LoopTimeouts.cancel(cancelled);
          LoopTimeouts.cancel(cancelled); // twice: a no-op
          return null;
        });
    marker.firedAt.get(10, TimeUnit.SECONDS);
    assertThat(log).containsExactly("marker");
    assertThat(cancelled.armed()).isFalse();
    // armed again after a cancel: fires normally
    on(ctx, () -> timeouts.arm(cancelled, MS));
    cancelled.firedAt.get(10, TimeUnit.SECONDS);
    assertThat(log).containsExactly("marker", "cancelled");
  }

  @Test
  void aCancelFromAnotherThreadIsHandedToTheOwningLoop() throws Exception {
    Context ctx = ListenerLoops.next(vertx);
    List<String> log = new CopyOnWriteArrayList<>();
    Probe cancelled = new Probe("cancelled", log);
    Probe marker = new Probe("marker", log);
    CountDownLatch armed = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // the loop arms both and is then held, so nothing can fire before the cancel is queued
    // behind it, however long this thread is descheduled; the loop runs queued tasks in order,
    // before the wheel's due tick
    ctx.runOnContext(
        v -> {
          timeouts.arm(cancelled, 15 * MS);
          timeouts.arm(marker, 30 * MS);
          armed.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    assertThat(armed.await(10, TimeUnit.SECONDS)).isTrue();
    LoopTimeouts.cancel(cancelled); // from the test thread
    release.countDown();
    marker.firedAt.get(10, TimeUnit.SECONDS);
    assertThat(log).containsExactly("marker");
  }

  @Test
  void anExpiryMayArmAndCancelOtherTimeoutsOfItsWheel() throws Exception {
    timeouts = new LoopTimeouts(MS, 1024); // a 1 s revolution: sweep order is tick order
    Context ctx = ListenerLoops.next(vertx);
    List<String> log = new CopyOnWriteArrayList<>();
    Probe first = new Probe("first", log);
    Probe victim = new Probe("victim", log); // cancelled by first's expiry
    Probe chained = new Probe("chained", log);
    first.onExpiry =
        () -> {
          LoopTimeouts.cancel(victim);
          assertThat(timeouts.arm(chained, 2 * MS)).isTrue();
        };
    on(
        ctx,
        () -> {
          // victim's deadline tick is later than first's even if the loop stalls between the
          // two calls (a stall under 496 ms), so a sweep reaches first before victim, also when
          // one late sweep covers both ticks: victim must never fire
          timeouts.arm(first, 4 * MS);
          timeouts.arm(victim, 500 * MS);
          return null;
        });
    chained.firedAt.get(10, TimeUnit.SECONDS);
    assertThat(log).containsExactly("first", "chained");
    assertThat(victim.armed()).isFalse();
    assertThat(on(ctx, timeouts::armedOnThisLoop)).isZero();
  }

  @Test
  void offTheEventLoopsNothingIsArmedAndTheCallerKeepsItsOwnTimer() {
    Probe p = new Probe("p", new CopyOnWriteArrayList<>());
    assertThat(timeouts.arm(p, MS)).isFalse();
    assertThat(p.armed()).isFalse();
  }

  @Test
  void anArmedTimeoutIsNotArmedTwice() throws Exception {
    Context ctx = ListenerLoops.next(vertx);
    Probe p = new Probe("p", new CopyOnWriteArrayList<>());
    assertThat(on(ctx, () -> timeouts.arm(p, 1_000 * MS))).isTrue();
    assertThat(on(ctx, () -> timeouts.arm(p, MS))).isFalse();
    on(
        ctx,
        () -> {
          LoopTimeouts.cancel(p);
          return null;
        });
    assertThat(on(ctx, timeouts::armedOnThisLoop)).isZero();
  }

  @Test
  void rejectsAWheelFinerThanOneMillisecondOrWithoutPowerOfTwoBuckets() {
    assertThatThrownBy(() -> new LoopTimeouts(MS / 2, 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("500000 ns");
    assertThatThrownBy(() -> new LoopTimeouts(MS, 12))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("buckets 12");
  }
}
