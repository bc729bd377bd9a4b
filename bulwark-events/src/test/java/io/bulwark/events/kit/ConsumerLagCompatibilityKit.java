package io.bulwark.events.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.events.Consumer;
import io.bulwark.events.EventRecord;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.PartitionLag;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.Serdes;
import io.bulwark.events.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The consumer-lag contract ({@link io.bulwark.events.EventLog#consumerLag}), run against every
 * backend: produce N, process M and commit, lag N - M; lag moves with later sends and commits; per
 * partition; bad input named.
 */
public abstract class ConsumerLagCompatibilityKit extends KitLog {

  /** Sends {@code n} records to {@code partition} of {@code topic}; returns the last offset. */
  protected long sendTo(String topic, int partition, int n) {
    Producer p = producer(ProducerConfig.defaults());
    long last = -1;
    for (int i = 0; i < n; i++) {
      last =
          p.send(
                  OutgoingRecord.builder(topic)
                      .partition(partition)
                      .key("k" + i)
                      .value("v" + i, Serdes.string())
                      .build())
              .join()
              .offset();
    }
    return last;
  }

  /** Polls until at least {@code count} records arrived. */
  protected static List<EventRecord> pollAtLeast(Consumer c, int count) {
    List<EventRecord> out = new ArrayList<>();
    long deadline = deadline();
    while (out.size() < count) {
      before(deadline, count + " records, got " + out.size());
      out.addAll(c.poll(POLL));
    }
    return out;
  }

  @Test
  void produceTenProcessFourCommitLagIsSix() {
    String t = topic("lag", 1);
    String g = group("billing");
    TopicPartition tp = new TopicPartition(t, 0);
    sendTo(t, 0, 10);

    // nothing committed yet: the whole partition is behind, and the group lists no partitions
    assertThat(log.consumerLag(g, t))
        .containsExactly(new PartitionLag(g, tp, 0, 10, OptionalLong.empty(), 10));
    assertThat(log.consumerLag(g)).isEmpty();

    Consumer c = consumer(g, t);
    List<EventRecord> got = pollAtLeast(c, 4);
    // process exactly four: commit the offset after the fourth
    c.commitSync(Map.of(tp, got.get(3).offset() + 1));

    PartitionLag expected = new PartitionLag(g, tp, 0, 10, OptionalLong.of(4), 6);
    assertThat(log.consumerLag(g, t)).containsExactly(expected);
    assertThat(log.consumerLag(g)).containsExactly(expected);
    assertThat(log.consumerGroups()).contains(g);
  }

  @Test
  void lagGrowsWithSendsAndFallsWithCommitsWithoutAPoll() {
    String t = topic("grow", 1);
    String g = group("ledger");
    TopicPartition tp = new TopicPartition(t, 0);
    sendTo(t, 0, 5);
    Consumer c = consumer(g, t);
    pollAtLeast(c, 5);
    c.commitSync(Map.of(tp, 5L));
    assertThat(log.consumerLag(g, t).get(0).lag()).isZero();

    sendTo(t, 0, 3); // a producer moves the end; the group has not read them
    assertThat(log.consumerLag(g, t))
        .containsExactly(new PartitionLag(g, tp, 0, 8, OptionalLong.of(5), 3));

    c.commitSync(Map.of(tp, 7L));
    assertThat(log.consumerLag(g, t).get(0).lag()).isEqualTo(1);
  }

  @Test
  void lagIsPerPartitionAndPerGroup() {
    String t = topic("parts", 3);
    String fast = group("fast");
    String slow = group("slow");
    sendTo(t, 0, 4);
    sendTo(t, 1, 7);
    // partition 2 stays empty
    Consumer f = consumer(fast, t);
    pollAtLeast(f, 11);
    f.commitSync(Map.of(new TopicPartition(t, 0), 4L, new TopicPartition(t, 1), 7L));
    Consumer s = consumer(slow, t);
    pollAtLeast(s, 1);
    s.commitSync(Map.of(new TopicPartition(t, 1), 2L));

    assertThat(log.consumerLag(fast, t)).extracting(PartitionLag::lag).containsExactly(0L, 0L, 0L);
    assertThat(log.consumerLag(slow, t))
        .containsExactly(
            new PartitionLag(slow, new TopicPartition(t, 0), 0, 4, OptionalLong.empty(), 4),
            new PartitionLag(slow, new TopicPartition(t, 1), 0, 7, OptionalLong.of(2), 5),
            new PartitionLag(slow, new TopicPartition(t, 2), 0, 0, OptionalLong.empty(), 0));
    // by group alone: only where it committed
    assertThat(log.consumerLag(slow))
        .containsExactly(
            new PartitionLag(slow, new TopicPartition(t, 1), 0, 7, OptionalLong.of(2), 5));
  }

  @Test
  void badInputIsNamed() {
    String t = topic("bad", 1);
    assertThatThrownBy(() -> log.consumerLag(group("g"), "no-such-topic-" + suffix))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no-such-topic-" + suffix);
    assertThatThrownBy(() -> log.consumerLag(" ", t))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("consumer group must not be blank, was ' '");
    assertThatThrownBy(() -> log.consumerLag(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("consumer group");
  }
}
