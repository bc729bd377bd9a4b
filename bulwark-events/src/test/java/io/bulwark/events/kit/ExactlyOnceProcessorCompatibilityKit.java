package io.bulwark.events.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.events.Consumer;
import io.bulwark.events.EventRecord;
import io.bulwark.events.ExactlyOnceProcessor;
import io.bulwark.events.ExactlyOnceProcessor.TypedTransform;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Partitioner;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.ProducerFencedException;
import io.bulwark.events.Serdes;
import io.bulwark.events.Topic;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TransformException;
import io.bulwark.events.TypedRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link ExactlyOnceProcessor}, run against every backend: after a transform that
 * fails mid-batch, a crash between produce and commit, or a fenced instance, a read_committed
 * reader finds each input's result exactly once, in input order per partition, and the group's
 * committed offsets cover every input. Inputs {@code n<i>} keyed {@code k<i>} become {@code N<i>}
 * with the same key (so the same partition of the two-partition output topic); every fifth input
 * produces nothing, and its offset must be committed all the same.
 */
public abstract class ExactlyOnceProcessorCompatibilityKit extends KitLog {
  private static final int PARTITIONS = 2;

  private Topic<String, String> in;
  private Topic<String, String> out;

  /** A consumer, a transactional producer and the processor driving them: one app instance. */
  private record Instance(Consumer consumer, Producer producer, ExactlyOnceProcessor processor) {}

  private Instance instance(String group, String txId, TypedTransform<String, String> t) {
    Consumer c = consumer(group, in.name());
    Producer p = producer(ProducerConfig.builder().transactionalId(txId).build());
    return new Instance(c, p, ExactlyOnceProcessor.builder(c, p, in, t).build());
  }

  private void createTopics(String name) {
    in = Topic.of(topic(name + "-in", PARTITIONS), Serdes.string());
    out = Topic.of(topic(name + "-out", PARTITIONS), Serdes.string());
  }

  private List<OutgoingRecord> upperCase(TypedRecord<String, String> r) {
    String v = String.valueOf(r.value());
    if (index(v) % 5 == 4) {
      return List.of();
    }
    return List.of(out.record(r.key(), v.toUpperCase(java.util.Locale.ROOT)).build());
  }

  private static int index(String value) {
    return Integer.parseInt(value.substring(1));
  }

  private void sendInputs(int from, int to) {
    Producer p = producer(ProducerConfig.defaults());
    for (int i = from; i < to; i++) {
      p.send(in, "k" + i, "n" + i).join();
    }
  }

  /** Runs {@code processOnce} until {@code count} inputs were committed; returns that count. */
  private static int processUntil(ExactlyOnceProcessor processor, int count) {
    int done = 0;
    long end = deadline();
    while (done < count) {
      before(end, count + " inputs committed, got " + done);
      done += processor.processOnce(POLL);
    }
    return done;
  }

  /** Per output partition, the values expected for inputs {@code 0..count-1}, in input order. */
  private static Map<Integer, List<String>> expectedOutputs(int count) {
    Map<Integer, List<String>> expected = new HashMap<>();
    for (int i = 0; i < count; i++) {
      if (i % 5 != 4) {
        int p = Partitioner.partitionFor(("k" + i).getBytes(StandardCharsets.UTF_8), PARTITIONS);
        expected.computeIfAbsent(p, k -> new ArrayList<>()).add("N" + i);
      }
    }
    return expected;
  }

  private void assertEachResultExactlyOnceInOrder(int count) {
    Map<Integer, List<String>> actual = new HashMap<>();
    for (EventRecord r : readAllBeforeMarkers(out.name(), PARTITIONS)) {
      actual.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(out.decode(r).value());
    }
    assertThat(actual).isEqualTo(expectedOutputs(count));
  }

  private void assertCommitted(Consumer c, int count) {
    long committed = 0;
    for (int p = 0; p < PARTITIONS; p++) {
      committed += c.committed(new TopicPartition(in.name(), p)).orElse(0L);
    }
    assertThat(committed).as("committed offsets of the input").isEqualTo(count);
  }

  @Test
  void aTransformFailingMidBatchAbortsItsOutputsAndTheRetryProducesEachResultOnce() {
    createTopics("eos-fail");
    sendInputs(0, 20);
    AtomicInteger inBatch = new AtomicInteger();
    AtomicReference<TypedRecord<String, String>> failedOn = new AtomicReference<>();
    Instance app =
        instance(
            group("eos-fail"),
            "tx-" + group("eos-fail"),
            r -> {
              // fails once, on the third record of a batch: two outputs are already sent
              if (inBatch.incrementAndGet() == 3 && failedOn.compareAndSet(null, r)) {
                throw new IllegalStateException("cannot transform " + r.value());
              }
              return upperCase(r);
            });
    List<TransformException> failures = new ArrayList<>();
    int done = 0;
    long end = deadline();
    while (done < 20) {
      before(end, "20 inputs committed, got " + done);
      inBatch.set(0);
      try {
        done += app.processor().processOnce(POLL);
      } catch (TransformException e) {
        failures.add(e);
      }
    }
    TypedRecord<String, String> bad = failedOn.get();
    assertThat(bad).as("a batch of three or more records").isNotNull();
    assertThat(failures).hasSize(1);
    TransformException failure = failures.get(0);
    assertThat(failure.topicPartition()).isEqualTo(bad.topicPartition());
    assertThat(failure.offset()).isEqualTo(bad.offset());
    assertThat(failure)
        .hasMessageContaining(bad.topicPartition() + "@" + bad.offset())
        .hasRootCauseMessage("cannot transform " + bad.value());
    assertThat(failure.isRetriable()).isFalse();
    assertThat(done).isEqualTo(20);
    assertEachResultExactlyOnceInOrder(20);
    assertCommitted(app.consumer(), 20);
  }

  @Test
  void anInterruptedTransformAbortsRewindsAndRestoresTheInterruptAfterwards() {
    createTopics("eos-interrupt");
    sendInputs(0, 10);
    AtomicInteger calls = new AtomicInteger();
    Instance app =
        instance(
            group("eos-interrupt"),
            "tx-" + group("eos-interrupt"),
            r -> {
              if (calls.incrementAndGet() == 2) {
                throw new InterruptedException("shutting down");
              }
              return upperCase(r);
            });
    int done = 0;
    boolean interrupted = false;
    long end = deadline();
    while (done < 10) {
      before(end, "10 inputs committed, got " + done);
      try {
        done += app.processor().processOnce(POLL);
      } catch (TransformException e) {
        assertThat(e).hasCauseInstanceOf(InterruptedException.class);
        interrupted = Thread.interrupted(); // clears it, as a caller that goes on would
      }
    }
    assertThat(interrupted).as("the interrupt restored after the abort and rewind").isTrue();
    assertEachResultExactlyOnceInOrder(10);
    assertCommitted(app.consumer(), 10);
  }

  @Test
  void aCrashBetweenProduceAndCommitLosesAndDuplicatesNothingAfterARestart() {
    createTopics("eos-crash");
    String group = group("eos-crash");
    String txId = "tx-" + group;
    sendInputs(0, 10);
    AtomicInteger inBatch = new AtomicInteger();
    AtomicReference<Instance> first = new AtomicReference<>();
    AtomicInteger crashes = new AtomicInteger();
    first.set(
        instance(
            group,
            txId,
            r -> {
              if (index(String.valueOf(r.value())) >= 10 && inBatch.incrementAndGet() == 3) {
                // the process dies mid-transaction: outputs sent, nothing committed
                crashes.incrementAndGet();
                first.get().producer().close();
                first.get().consumer().close();
                throw new IllegalStateException("crashed");
              }
              return upperCase(r);
            }));
    assertThat(processUntil(first.get().processor(), 10)).isEqualTo(10);
    sendInputs(10, 20);
    int beforeCrash = 0; // batches of wave two too small to crash in commit normally
    long end = deadline();
    while (crashes.get() == 0) {
      before(end, "the crash in a batch of three or more records");
      inBatch.set(0);
      try {
        beforeCrash += first.get().processor().processOnce(POLL);
      } catch (TransformException e) {
        assertThat(e).hasRootCauseMessage("crashed");
      }
    }

    Instance restarted = instance(group, txId, this::upperCase);
    assertThat(processUntil(restarted.processor(), 10 - beforeCrash))
        .as("the restart resumes at the committed offsets")
        .isEqualTo(10 - beforeCrash);
    assertEachResultExactlyOnceInOrder(20);
    assertCommitted(restarted.consumer(), 20);
  }

  @Test
  void aFencedInstanceStopsWithAClearErrorAndTheNewerOneProcessesEachRecordOnce() {
    createTopics("eos-fence");
    String group = group("eos-fence");
    String txId = "tx-" + group;
    sendInputs(0, 10);
    Instance old = instance(group, txId, this::upperCase);
    assertThat(processUntil(old.processor(), 10)).isEqualTo(10);

    Producer newer = producer(ProducerConfig.builder().transactionalId(txId).build());
    sendInputs(10, 20);
    ProducerFencedException fenced = null;
    long end = deadline();
    while (fenced == null) {
      before(end, "the old instance to find out it was fenced");
      try {
        assertThat(old.processor().processOnce(POLL)).as("a fenced commit").isZero();
      } catch (ProducerFencedException e) {
        fenced = e;
      }
    }
    assertThat(fenced)
        .hasMessageContaining("fenced")
        .hasMessageContaining("Close this producer and consumer");
    assertThatThrownBy(() -> old.processor().processOnce(POLL))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("processor stopped")
        .hasCause(fenced);
    old.consumer().close();

    Consumer c = consumer(group, in.name());
    ExactlyOnceProcessor successor =
        ExactlyOnceProcessor.builder(c, newer, in, this::upperCase).build();
    assertThat(processUntil(successor, 10)).isEqualTo(10);
    assertEachResultExactlyOnceInOrder(20);
    assertCommitted(c, 20);
  }
}
