package io.bulwark.runtime.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EventLog;
import io.bulwark.events.EventLogs;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.Serdes;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import io.bulwark.runtime.autoscale.Autoscaler;
import io.bulwark.runtime.autoscale.LagScaling;
import io.bulwark.runtime.autoscale.RuntimeAutoscaling;
import io.bulwark.runtime.autoscale.Scaler;
import io.bulwark.runtime.autoscale.ScalingDecision;
import io.bulwark.test.VirtualScheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topics panel and the lag autoscaler fed by a real embedded event log's consumer-lag API:
 * produce, consume and commit, then read the lag the dashboard shows and the autoscaler decides on.
 */
class EventLogLagTest {
  @TempDir static Path root;
  static TestSystem system;
  static EventLog log;

  @BeforeAll
  static void start() {
    system = TestSystem.start(root.resolve("system"));
    log = EventLogs.embedded(EmbeddedLogConfig.builder(root.resolve("log")).build());
    log.createTopic(TopicSpec.of("orders", 2));
    Producer p = log.producer(ProducerConfig.defaults());
    send(p, 0, 7);
    send(p, 1, 3);
    p.close();
    // shipping reads all ten and commits four of partition 0 and all of partition 1
    try (Consumer c = log.consumer(ConsumerConfig.builder("shipping").build())) {
      c.subscribe(List.of("orders"));
      int got = 0;
      while (got < 10) {
        got += c.poll(Duration.ofMillis(100)).size();
      }
      c.commitSync(
          Map.of(new TopicPartition("orders", 0), 4L, new TopicPartition("orders", 1), 3L));
    }
  }

  private static void send(Producer p, int partition, int n) {
    for (int i = 0; i < n; i++) {
      p.send(
              OutgoingRecord.builder("orders")
                  .partition(partition)
                  .key("k" + i)
                  .value("v" + i, Serdes.string())
                  .build())
          .join();
    }
  }

  @AfterAll
  static void stop() {
    log.close();
    system.close();
  }

  private static List<String> rows(JsonNode topics) {
    List<String> out = new ArrayList<>();
    topics
        .get("list")
        .forEach(
            n ->
                out.add(
                    n.get("topic").asText()
                        + "/"
                        + n.get("partition").asInt()
                        + " "
                        + n.get("group").asText()
                        + " end="
                        + n.get("endOffset").asLong()
                        + " committed="
                        + n.get("committed").asLong()
                        + " lag="
                        + n.get("lag").asLong()));
    return out;
  }

  @Test
  void aNamedGroupShowsEveryPartitionBeforeItCommitsAndCommittedGroupsAreAdded() throws Exception {
    try (Dashboard d =
        Dashboard.builder(system.runtime)
            .scheduler(new VirtualScheduler())
            .topics(EventLogLag.of(log, Map.of("orders", List.of("billing"))))
            .build()
            .start()) {
      d.tick();
      JsonNode topics = system.getJson(d, "/api/topics");
      assertThat(topics.get("available").asBoolean()).isTrue();
      assertThat(rows(topics))
          .containsExactly(
              "orders/0 billing end=7 committed=-1 lag=7",
              "orders/1 billing end=3 committed=-1 lag=3",
              "orders/0 shipping end=7 committed=4 lag=3",
              "orders/1 shipping end=3 committed=3 lag=0");
    }
  }

  @Test
  void discoveredGroupsAreThoseThatCommittedAndAnUnknownTopicIsNamedOnThePanel() throws Exception {
    try (Dashboard d =
            Dashboard.builder(system.runtime)
                .scheduler(new VirtualScheduler())
                .topics(EventLogLag.of(log))
                .build()
                .start();
        Dashboard bad =
            Dashboard.builder(system.runtime)
                .scheduler(new VirtualScheduler())
                .topics(EventLogLag.of(log, Map.of("ordres", List.of("shipping"))))
                .build()
                .start()) {
      d.tick();
      assertThat(rows(system.getJson(d, "/api/topics")))
          .containsExactly(
              "orders/0 shipping end=7 committed=4 lag=3",
              "orders/1 shipping end=3 committed=3 lag=0");
      bad.tick();
      JsonNode panel = system.getJson(bad, "/api/topics");
      assertThat(panel.get("error").asText()).contains("unknown topic 'ordres'");
      assertThat(panel.get("list")).isEmpty();
    }
  }

  @Test
  void theLagAutoscalerScalesOnTheLogsLag() {
    VirtualScheduler scheduler = new VirtualScheduler();
    List<Integer> scaled = new ArrayList<>();
    int[] count = {1};
    Scaler scaler =
        new Scaler() {
          @Override
          public int instances(String service) {
            return count[0];
          }

          @Override
          public int readyInstances(String service) {
            return count[0];
          }

          @Override
          public void scale(String service, int instances) {
            scaled.add(instances);
            count[0] = instances;
          }
        };
    try (Autoscaler a =
        Autoscaler.builder("billing", LagScaling.builder(2).build())
            .probe(RuntimeAutoscaling.consumerLag(log, "billing", "orders"))
            .scaler(scaler)
            .scheduler(scheduler)
            .executor(Runnable::run)
            .sampleEvery(Duration.ofSeconds(5))
            .decideEvery(Duration.ofSeconds(15))
            .build()
            .start()) {
      scheduler.advance(Duration.ofSeconds(15));
      ScalingDecision first = a.decisions().get(0);
      assertThat(first.inputs()).containsEntry("lag", 10.0);
      assertThat(first.to()).isEqualTo(5); // 10 waiting records at 2 per instance
      assertThat(scaled).containsExactly(5);
    }
  }
}
