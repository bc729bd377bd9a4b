package io.bulwark.examples.shop.orders;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The count of running checkouts and the wait for none, which wakes on the last exit. */
class InFlightTest {

  @Test
  void aWaitWithNothingRunningAnswersZeroAtOnceAndAWaitThatTimesOutAnswersTheCount()
      throws Exception {
    InFlight f = new InFlight();
    assertThat(f.awaitNone(Duration.ZERO)).isZero();
    f.enter();
    f.enter();
    assertThat(f.count()).isEqualTo(2);
    assertThat(f.awaitNone(Duration.ofMillis(1))).isEqualTo(2);
    f.exit();
    assertThat(f.awaitNone(Duration.ZERO)).isEqualTo(1);
  }

  @Test
  void aWaiterWakesWhenTheLastCheckoutEndsNotBefore() throws Exception {
    InFlight f = new InFlight();
    f.enter();
    f.enter();
    CountDownLatch waiting = new CountDownLatch(1);
    CompletableFuture<Integer> left =
        CompletableFuture.supplyAsync(
            () -> {
              waiting.countDown();
              try {
                return f.awaitNone(Duration.ofMinutes(1));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            },
            runnable -> Thread.ofVirtual().start(runnable));
    assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
    f.exit();
    // one still runs: the waiter must still be waiting once a marker submitted after it ran
    CompletableFuture<Integer> marker =
        CompletableFuture.supplyAsync(f::count, runnable -> Thread.ofVirtual().start(runnable));
    assertThat(marker.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(left).isNotDone();
    f.exit();
    assertThat(left.get(10, TimeUnit.SECONDS)).isZero();
  }
}
