package io.bulwark.events.internal.kafka;

import io.bulwark.events.PartitionLag;
import io.bulwark.events.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;

/**
 * Consumer lag of the Kafka backend through its admin client: the group's committed offsets
 * (ListConsumerGroupOffsets), then the partitions' earliest and read_committed latest offsets (two
 * ListOffsets requests), the same end the backend's read_committed consumers read up to.
 */
final class KafkaLag {
  private final Admin admin;
  private final long timeoutSeconds;

  KafkaLag(Admin admin, long timeoutSeconds) {
    this.admin = admin;
    this.timeoutSeconds = timeoutSeconds;
  }

  List<String> groups() {
    List<String> out = new ArrayList<>();
    for (GroupListing g :
        await(admin.listGroups(ListGroupsOptions.forConsumerGroups()).all(), "list groups")) {
      out.add(g.groupId());
    }
    out.sort(null);
    return out;
  }

  List<PartitionLag> lag(String group) {
    check(group);
    Map<org.apache.kafka.common.TopicPartition, OffsetAndMetadata> committed = committed(group);
    return lagOf(group, committed.keySet(), committed);
  }

  List<PartitionLag> lag(String group, String topic, int partitions) {
    check(group);
    List<org.apache.kafka.common.TopicPartition> tps = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      tps.add(new org.apache.kafka.common.TopicPartition(topic, p));
    }
    return lagOf(group, tps, committed(group));
  }

  private Map<org.apache.kafka.common.TopicPartition, OffsetAndMetadata> committed(String group) {
    Map<org.apache.kafka.common.TopicPartition, OffsetAndMetadata> raw =
        await(
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(),
            "list offsets of group " + group);
    Map<org.apache.kafka.common.TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    raw.forEach(
        (tp, o) -> {
          if (o != null) {
            out.put(tp, o);
          }
        });
    return out;
  }

  private List<PartitionLag> lagOf(
      String group,
      java.util.Collection<org.apache.kafka.common.TopicPartition> tps,
      Map<org.apache.kafka.common.TopicPartition, OffsetAndMetadata> committed) {
    if (tps.isEmpty()) {
      return List.of();
    }
    Map<org.apache.kafka.common.TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<org.apache.kafka.common.TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (org.apache.kafka.common.TopicPartition tp : tps) {
      earliest.put(tp, OffsetSpec.earliest());
      latest.put(tp, OffsetSpec.latest());
    }
    ListOffsetsOptions committedOnly = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
    Map<org.apache.kafka.common.TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts =
        await(admin.listOffsets(earliest, committedOnly).all(), "list start offsets");
    Map<org.apache.kafka.common.TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
        await(admin.listOffsets(latest, committedOnly).all(), "list end offsets");
    List<PartitionLag> out = new ArrayList<>(tps.size());
    for (org.apache.kafka.common.TopicPartition tp : tps) {
      ListOffsetsResult.ListOffsetsResultInfo s = starts.get(tp);
      ListOffsetsResult.ListOffsetsResultInfo e = ends.get(tp);
      if (s == null || e == null) {
        continue;
      }
      long end = e.offset();
      long start = Math.min(s.offset(), end);
      OffsetAndMetadata c = committed.get(tp);
      out.add(
          PartitionLag.of(
              group,
              new TopicPartition(tp.topic(), tp.partition()),
              start,
              end,
              c == null ? OptionalLong.empty() : OptionalLong.of(c.offset())));
    }
    out.sort((a, b) -> a.partition().compareTo(b.partition()));
    return out;
  }

  private <T> T await(org.apache.kafka.common.KafkaFuture<T> f, String what) {
    try {
      return f.get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw KafkaEventLog.failure("cannot " + what, e);
    } catch (InterruptedException | TimeoutException e) {
      throw KafkaEventLog.failure("cannot " + what, e);
    }
  }

  private static void check(String group) {
    if (group.isBlank()) {
      throw new IllegalArgumentException("consumer group must not be blank, was '" + group + "'");
    }
  }
}
