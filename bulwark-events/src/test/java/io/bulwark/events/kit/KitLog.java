package io.bulwark.events.kit;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.EventLog;
import io.bulwark.events.EventRecord;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.Serdes;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The plumbing shared by the event-log, typed-topic and processor kits: one log per test, fresh
 * topic and group names (so a shared broker is fine), producers and consumers closed after the
 * test, and reads that prove the absence of further records with a marker sent last to every
 * partition.
 */
public abstract class KitLog {
  protected static final Duration WAIT = Duration.ofSeconds(60);
  protected static final Duration POLL = Duration.ofMillis(100);
  static final String MARKER = "marker";

  protected EventLog log;
  protected final List<AutoCloseable> closeables = new ArrayList<>();
  protected final String suffix = UUID.randomUUID().toString().substring(0, 8);

  /** A new log for one test. */
  protected abstract EventLog newLog() throws Exception;

  @BeforeEach
  void open() throws Exception {
    log = newLog();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      try {
        c.close();
      } catch (RuntimeException ignored) {
        // already closed by the test
      }
    }
    log.close();
  }

  protected String topic(String name, int partitions) {
    String t = name + "-" + suffix;
    log.createTopic(TopicSpec.of(t, partitions));
    return t;
  }

  protected String group(String name) {
    return name + "-" + suffix;
  }

  protected Producer producer(ProducerConfig config) {
    Producer p = log.producer(config);
    closeables.add(p);
    return p;
  }

  protected Consumer consumer(String group, String topic) {
    Consumer c =
        log.consumer(ConsumerConfig.builder(group).sessionTimeout(Duration.ofSeconds(6)).build());
    closeables.add(c);
    c.subscribe(List.of(topic));
    return c;
  }

  /** A deadline of {@link #WAIT} from now, checked by {@link #before}. */
  static long deadline() {
    return System.nanoTime() + WAIT.toNanos();
  }

  static void before(long deadline, String waitingFor) {
    assertThat(System.nanoTime() - deadline).as("waiting for %s", waitingFor).isNegative();
  }

  /**
   * Sends a marker to every partition of {@code topic}, then reads the topic from the start with a
   * new group until each marker arrived: returns everything before the markers, so a record that
   * should not be there cannot hide behind a short poll.
   */
  List<EventRecord> readAllBeforeMarkers(String topic, int partitions) {
    Producer p = producer(ProducerConfig.defaults());
    for (int i = 0; i < partitions; i++) {
      p.send(OutgoingRecord.builder(topic).partition(i).value(MARKER, Serdes.string()).build())
          .join();
    }
    Consumer reader = consumer(group("reader-" + topic), topic);
    List<EventRecord> before = new ArrayList<>();
    Set<TopicPartition> marked = new HashSet<>();
    long end = deadline();
    while (marked.size() < partitions) {
      before(end, "the markers of " + topic);
      for (EventRecord r : reader.poll(POLL)) {
        if (MARKER.equals(r.value(Serdes.string()))) {
          marked.add(r.topicPartition());
        } else {
          assertThat(marked)
              .as("a record after its partition's marker")
              .doesNotContain(r.topicPartition());
          before.add(r);
        }
      }
    }
    return before;
  }
}
