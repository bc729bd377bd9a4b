package io.bulwark.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.error.FatalException;
import io.bulwark.core.error.RetriableException;
import io.bulwark.resilience.Retry;
import io.bulwark.resilience.RetryConfig;
import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.VirtualTimeExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dead-letter step with a resilience {@link Retry}: backoff between attempts in virtual time,
 * fatal failures dead-lettered after one attempt.
 */
@ExtendWith(VirtualTimeExtension.class)
class DeadLetterRetryTest {
  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  @Test
  // yielding while the step runs lets it proceed on a loaded machine; it decides no outcome
  @SuppressWarnings("ThreadPriorityCheck")
  void retriesWithBackoffAndDeadLettersFatalFailuresAtOnce(VirtualScheduler scheduler)
      throws Exception {
    try (EventLog log = EventLogs.embedded(EmbeddedLogConfig.builder(dir).build());
        Producer producer = log.producer(ProducerConfig.defaults());
        Consumer consumer = log.consumer(ConsumerConfig.builder("billing").build());
        Consumer dlt = log.consumer(ConsumerConfig.builder("dlt-reader").build())) {
      publishOrders(log, producer, "flaky", "poison", "fine");
      consumer.subscribe(List.of("orders"));
      List<String> attempts = new ArrayList<>();
      int[] flakyFailures = {2};
      Retry retry = threeAttemptsOneSecondApart(scheduler);
      DeadLetterProcessor processor =
          DeadLetterProcessor.builder(
                  consumer,
                  producer,
                  r -> {
                    String v = r.value(Serdes.string());
                    attempts.add(v + "@" + scheduler.clock().nanoTime() / 1_000_000_000L + "s");
                    if ("flaky".equals(v) && flakyFailures[0]-- > 0) {
                      throw new RetriableException("billing unavailable");
                    }
                    if ("poison".equals(v)) {
                      throw new FatalException("unparseable order");
                    }
                  })
              .retry(retry)
              .build();

      int deadLettered = 0;
      while (consumer.committed(new TopicPartition("orders", 0)).orElse(0L) < 3) {
        CompletableFuture<Integer> step =
            CompletableFuture.supplyAsync(() -> processor.processOnce(Duration.ofMillis(200)));
        while (!step.isDone()) { // the backoff waits on virtual time: move it when a wait is due
          if (scheduler.pendingTasks() > 0) {
            scheduler.advanceToNextTask();
          } else {
            Thread.yield();
          }
        }
        deadLettered += step.get(30, TimeUnit.SECONDS);
      }

      assertThat(attempts)
          .containsExactly("flaky@0s", "flaky@1s", "flaky@2s", "poison@2s", "fine@2s");
      assertThat(deadLettered).isEqualTo(1);
      dlt.subscribe(List.of("orders.dlt"));
      List<EventRecord> dead = new ArrayList<>();
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (dead.isEmpty() && System.nanoTime() < end) {
        dead.addAll(dlt.poll(Duration.ofMillis(100)));
      }
      assertThat(dead).hasSize(1);
      assertThat(dead.get(0).value(Serdes.string())).isEqualTo("poison");
      assertThat(dead.get(0).headers().get(DeadLetterProcessor.DLT_ATTEMPTS)).isEqualTo("1");
      assertThat(dead.get(0).headers().get(DeadLetterProcessor.DLT_CAUSE))
          .isEqualTo("io.bulwark.core.error.FatalException: unparseable order");
    }
  }

  @Test
  void anInterruptedBackoffCommitsWhatWasHandledAndStops(VirtualScheduler scheduler)
      throws Exception {
    try (EventLog log = EventLogs.embedded(EmbeddedLogConfig.builder(dir).build());
        Producer producer = log.producer(ProducerConfig.defaults());
        Consumer consumer = log.consumer(ConsumerConfig.builder("billing").build())) {
      publishOrders(log, producer, "fine", "flaky", "later");
      consumer.subscribe(List.of("orders"));
      List<String> handled = new ArrayList<>();
      DeadLetterProcessor processor =
          DeadLetterProcessor.builder(
                  consumer,
                  producer,
                  r -> {
                    String v = r.value(Serdes.string());
                    handled.add(v);
                    if ("flaky".equals(v)) {
                      // as if the thread were interrupted during the backoff that follows
                      Thread.currentThread().interrupt();
                      throw new RetriableException("billing unavailable");
                    }
                  })
              .retry(threeAttemptsOneSecondApart(scheduler))
              .build();

      int deadLettered = 0;
      for (int i = 0; i < 100 && handled.isEmpty(); i++) { // poll until the records arrive
        deadLettered += processor.processOnce(Duration.ofMillis(200));
      }

      assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
      assertThat(handled).containsExactly("fine", "flaky");
      assertThat(deadLettered).isZero();
      assertThat(consumer.committed(new TopicPartition("orders", 0)))
          .as("\"fine\" is committed; \"flaky\" and \"later\" will be redelivered")
          .hasValue(1L);
    }
  }

  @Test
  void maxAttemptsAndARetryAreExclusive(VirtualScheduler scheduler) throws Exception {
    try (EventLog log = EventLogs.embedded(EmbeddedLogConfig.builder(dir).build());
        Producer producer = log.producer(ProducerConfig.defaults());
        Consumer consumer = log.consumer(ConsumerConfig.builder("g").build())) {
      Retry retry = Retry.of("r", RetryConfig.builder().maxAttempts(4).build(), scheduler);
      assertThatThrownBy(
              () ->
                  DeadLetterProcessor.builder(consumer, producer, r -> {})
                      .maxAttempts(2)
                      .retry(retry)
                      .build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("set either maxAttempts (2) or retry ('r', 4 attempts), not both");
    }
  }

  /** Topic "orders" (1 partition) and its dead-letter topic, with {@code values} under key k. */
  private static void publishOrders(EventLog log, Producer producer, String... values) {
    log.createTopic(TopicSpec.of("orders", 1));
    log.createTopic(TopicSpec.of("orders.dlt", 1));
    for (String v : values) {
      producer.send(OutgoingRecord.of("orders", "k", v, Serdes.string())).join();
    }
  }

  private static Retry threeAttemptsOneSecondApart(VirtualScheduler scheduler) {
    return Retry.of(
        "billing",
        RetryConfig.builder().maxAttempts(3).fixedDelay(Duration.ofSeconds(1)).build(),
        scheduler);
  }
}
