package io.bulwark.data.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The throttled execution of a plan, under virtual time, against a scripted data owner. */
class RebalancerTest {
  private static final Node A = Node.of("a");
  private static final Node B = Node.of("b");

  /** A data owner whose moves finish when the test says, or after a fixed virtual duration. */
  static final class FakeOwner implements MoveExecutor {
    final VirtualScheduler scheduler;
    final Duration moveTime;
    final Map<String, Integer> failuresLeft = new HashMap<>();
    final List<String> starts = new ArrayList<>();
    final List<Long> startNanos = new ArrayList<>();
    final List<Long> startBytes = new ArrayList<>();
    int inFlight;
    int maxInFlight;

    FakeOwner(VirtualScheduler scheduler, Duration moveTime) {
      this.scheduler = scheduler;
      this.moveTime = moveTime;
    }

    @Override
    public CompletionStage<?> execute(Move move, int attempt) {
      starts.add(move.unit() + "#" + attempt);
      startNanos.add(scheduler.clock().nanoTime());
      startBytes.add(move.bytes());
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      CompletableFuture<Void> f = new CompletableFuture<>();
      int left = failuresLeft.getOrDefault(move.unit(), 0);
      scheduler.schedule(
          moveTime,
          () -> {
            inFlight--;
            if (left > 0) {
              failuresLeft.put(move.unit(), left - 1);
              f.completeExceptionally(
                  new IllegalStateException("copy of " + move.unit() + " failed"));
            } else {
              f.complete(null);
            }
          });
      return f;
    }
  }

  static MovePlan plan(int moves, long bytesEach) {
    List<Move> list = new ArrayList<>();
    for (int i = 0; i < moves; i++) {
      list.add(new Move("m" + i, null, i % 2 == 0 ? A : B, i % 2 == 0 ? B : A, bytesEach));
    }
    return new MovePlan(list, moves, moves * bytesEach, 1.0, 0.5);
  }

  static RebalanceReport finish(VirtualScheduler s, RebalanceRun run) throws Exception {
    for (int i = 0; i < 100_000 && !run.completion().toCompletableFuture().isDone(); i++) {
      if (!s.advanceToNextTask()) {
        break;
      }
    }
    return run.completion().toCompletableFuture().get(1, TimeUnit.SECONDS);
  }

  @Property(tries = 50)
  void neverMoreMovesInFlightThanAllowedAndAllComplete(
      @ForAll @IntRange(min = 1, max = 60) int moves,
      @ForAll @IntRange(min = 1, max = 8) int concurrency,
      @ForAll @IntRange(min = 1, max = 5000) int moveMillis)
      throws Exception {
    VirtualScheduler s = new VirtualScheduler();
    FakeOwner owner = new FakeOwner(s, Duration.ofMillis(moveMillis));
    Rebalancer r = Rebalancer.builder().maxConcurrentMoves(concurrency).scheduler(s).build();
    RebalanceReport report = finish(s, r.start(plan(moves, 10), owner));
    assertThat(owner.maxInFlight).isEqualTo(Math.min(concurrency, moves));
    assertThat(report.succeeded()).isTrue();
    assertThat(report.completed()).hasSize(moves);
    assertThat(report.bytesMoved()).isEqualTo(moves * 10L);
    long rounds = (moves + concurrency - 1L) / concurrency;
    assertThat(report.elapsed()).isEqualTo(Duration.ofMillis(rounds * moveMillis));
  }

  /**
   * Pacing at rate R: the bytes of the moves started by time t never exceed R·t plus the last move
   * started, and the run takes at least (total − last move)/R.
   */
  @Property(tries = 50)
  void bytesPerSecondIsHonoured(
      @ForAll @IntRange(min = 1, max = 40) int moves,
      @ForAll @LongRange(min = 1, max = 1_000_000) long bytesEach,
      @ForAll @LongRange(min = 1, max = 10_000_000) long rate,
      @ForAll @IntRange(min = 1, max = 6) int concurrency)
      throws Exception {
    VirtualScheduler s = new VirtualScheduler();
    FakeOwner owner = new FakeOwner(s, Duration.ofMillis(1));
    Rebalancer r =
        Rebalancer.builder()
            .maxConcurrentMoves(concurrency)
            .bytesPerSecond(rate)
            .scheduler(s)
            .build();
    long t0 = s.clock().nanoTime();
    RebalanceReport report = finish(s, r.start(plan(moves, bytesEach), owner));
    assertThat(report.completed()).hasSize(moves);
    long started = 0;
    for (int i = 0; i < owner.startNanos.size(); i++) {
      started += owner.startBytes.get(i);
      double allowed = rate * ((owner.startNanos.get(i) - t0) / 1e9) + owner.startBytes.get(i);
      assertThat((double) started)
          .as("bytes started by move %d", i)
          .isLessThanOrEqualTo(allowed + 1);
    }
    double minSeconds = (double) (moves - 1) * bytesEach / rate;
    assertThat(report.elapsed().toNanos() / 1e9).isGreaterThanOrEqualTo(minSeconds - 1e-6);
  }

  @Test
  void aFailedMoveIsRetriedAfterTheBackoffAndTheOthersGoOn() throws Exception {
    VirtualScheduler s = new VirtualScheduler();
    FakeOwner owner = new FakeOwner(s, Duration.ofSeconds(1));
    owner.failuresLeft.put("m1", 2);
    Rebalancer r =
        Rebalancer.builder()
            .maxConcurrentMoves(1)
            .maxAttempts(3)
            .retryBackoff(Duration.ofSeconds(10))
            .scheduler(s)
            .build();
    RebalanceReport report = finish(s, r.start(plan(3, 5), owner));
    assertThat(report.succeeded()).isTrue();
    // m0 [0,1); m1 fails [1,2); m2 runs [2,3) while m1 waits; m1 again at 12, fails at 13; at 23 ok
    assertThat(owner.starts).containsExactly("m0#1", "m1#1", "m2#1", "m1#2", "m1#3");
    assertThat(owner.startNanos.get(3)).isEqualTo(Duration.ofSeconds(12).toNanos());
    assertThat(owner.startNanos.get(4)).isEqualTo(Duration.ofSeconds(23).toNanos());
    assertThat(report.elapsed()).isEqualTo(Duration.ofSeconds(24));
  }

  @Test
  void aMoveThatFailsEveryAttemptIsReportedWithItsLastError() throws Exception {
    VirtualScheduler s = new VirtualScheduler();
    FakeOwner owner = new FakeOwner(s, Duration.ofSeconds(1));
    owner.failuresLeft.put("m0", 99);
    Rebalancer r =
        Rebalancer.builder().maxAttempts(2).retryBackoff(Duration.ZERO).scheduler(s).build();
    RebalanceRun run = r.start(plan(2, 7), owner);
    RebalanceReport report = finish(s, run);
    assertThat(report.succeeded()).isFalse();
    assertThat(report.completed()).extracting(Move::unit).containsExactly("m1");
    assertThat(report.failed()).hasSize(1);
    RebalanceReport.FailedMove f = report.failed().get(0);
    assertThat(f.move().unit()).isEqualTo("m0");
    assertThat(f.attempts()).isEqualTo(2);
    assertThat(f.lastError()).hasMessage("copy of m0 failed");
    assertThat(run.progress()).isEqualTo(new RebalanceRun.Progress(0, 0, 1, 1, 7));
  }

  @Test
  void anExecutorThatThrowsOrReturnsNullCountsAsAFailedAttempt() throws Exception {
    VirtualScheduler s = new VirtualScheduler();
    List<String> calls = new ArrayList<>();
    MoveExecutor hostile =
        (move, attempt) -> {
          calls.add(move.unit() + "#" + attempt);
          if (attempt == 1) {
            throw new java.io.IOException("disk full on " + move.to().id());
          }
          return attempt == 2 ? null : CompletableFuture.completedFuture("ok");
        };
    Rebalancer r =
        Rebalancer.builder()
            .maxAttempts(3)
            .retryBackoff(Duration.ofSeconds(1))
            .scheduler(s)
            .build();
    RebalanceReport report = finish(s, r.start(plan(1, 1), hostile));
    assertThat(calls).containsExactly("m0#1", "m0#2", "m0#3");
    assertThat(report.succeeded()).isTrue();
  }

  @Test
  void progressCountsPendingRunningAndDone() throws Exception {
    VirtualScheduler s = new VirtualScheduler();
    FakeOwner owner = new FakeOwner(s, Duration.ofSeconds(1));
    RebalanceRun run =
        Rebalancer.builder().maxConcurrentMoves(2).scheduler(s).build().start(plan(5, 3), owner);
    assertThat(run.progress()).isEqualTo(new RebalanceRun.Progress(3, 2, 0, 0, 0));
    s.advance(Duration.ofSeconds(1));
    assertThat(run.progress()).isEqualTo(new RebalanceRun.Progress(1, 2, 2, 0, 6));
    finish(s, run);
    assertThat(run.progress()).isEqualTo(new RebalanceRun.Progress(0, 0, 5, 0, 15));
  }

  @Test
  void cancelStartsNothingMoreAndReportsTheRestAsCancelled() throws Exception {
    VirtualScheduler s = new VirtualScheduler();
    FakeOwner owner = new FakeOwner(s, Duration.ofSeconds(1));
    RebalanceRun run =
        Rebalancer.builder().maxConcurrentMoves(2).scheduler(s).build().start(plan(5, 3), owner);
    run.cancel();
    assertThat(run.completion().toCompletableFuture()).isNotDone();
    RebalanceReport report = finish(s, run);
    assertThat(owner.starts).containsExactly("m0#1", "m1#1");
    assertThat(report.completed()).hasSize(2);
    assertThat(report.cancelled()).extracting(Move::unit).containsExactly("m2", "m3", "m4");
  }

  @Test
  void aLongPlanOfMovesThatCompleteInsideExecuteDoesNotGrowTheStack() throws Exception {
    VirtualScheduler s = new VirtualScheduler();
    int[] calls = new int[1];
    MoveExecutor instant =
        (move, attempt) -> {
          calls[0]++;
          return CompletableFuture.completedFuture(null);
        };
    RebalanceRun run =
        Rebalancer.builder()
            .maxConcurrentMoves(4)
            .scheduler(s)
            .build()
            .start(plan(50_000, 1), instant);
    RebalanceReport report = run.completion().toCompletableFuture().getNow(null);
    assertThat(report).isNotNull();
    assertThat(report.completed()).hasSize(50_000);
    assertThat(calls[0]).isEqualTo(50_000);
  }

  @Test
  void anEmptyPlanCompletesAtOnce() throws Exception {
    VirtualScheduler s = new VirtualScheduler();
    RebalanceRun run =
        Rebalancer.builder()
            .scheduler(s)
            .build()
            .start(new MovePlan(List.of(), 0, 0, 0, 0), (m, a) -> new CompletableFuture<>());
    assertThat(run.completion().toCompletableFuture().getNow(null)).isNotNull();
  }

  @Test
  void builderRejectsBadSettingsNamingThem() {
    Rebalancer.Builder b = Rebalancer.builder();
    assertThatThrownBy(() -> b.maxConcurrentMoves(0))
        .hasMessage("maxConcurrentMoves must be >= 1, was 0");
    assertThatThrownBy(() -> b.bytesPerSecond(0)).hasMessage("bytesPerSecond must be >= 1, was 0");
    assertThatThrownBy(() -> b.maxAttempts(-1)).hasMessage("maxAttempts must be >= 1, was -1");
    assertThatThrownBy(() -> b.retryBackoff(Duration.ofMillis(-5)))
        .hasMessage("retryBackoff must not be negative, was PT-0.005S");
  }
}
