package io.bulwark.events.internal.embedded;

import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EventRecord;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.Serdes;
import io.bulwark.events.TopicPartition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Helpers for white-box tests of the embedded log. */
final class LogFixture {
  private LogFixture() {}

  static void sendAll(EmbeddedEventLog log, String topic, int from, int to) {
    try (Producer p = log.producer(ProducerConfig.defaults())) {
      for (int i = from; i < to; i++) {
        p.send(OutgoingRecord.of(topic, "k", "value-" + i, Serdes.string())).join();
      }
    }
  }

  /** Every durable record of a partition, read (and CRC-checked) from the start. */
  static List<EventRecord> readAll(EmbeddedEventLog log, TopicPartition tp) {
    PartitionLog p = log.partition(tp);
    List<EventRecord> out = new ArrayList<>();
    long offset = p.startOffset();
    while (offset < p.durableEnd()) {
      List<EventRecord> chunk = p.read(offset, 10_000);
      if (chunk.isEmpty()) {
        break;
      }
      out.addAll(chunk);
      offset = chunk.get(chunk.size() - 1).offset() + 1;
    }
    return out;
  }

  static List<Path> segments(Path root, String topic, int partition) throws Exception {
    try (Stream<Path> s =
        Files.list(root.resolve("topics").resolve(topic).resolve("" + partition))) {
      return s.filter(f -> f.toString().endsWith(".log")).sorted().toList();
    }
  }

  static EmbeddedLogConfig.Builder config(Path dir) {
    return EmbeddedLogConfig.builder(dir).segmentBytes(1024);
  }
}
