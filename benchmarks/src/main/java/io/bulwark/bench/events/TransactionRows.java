package io.bulwark.bench.events;

import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import io.bulwark.events.internal.embedded.EmbeddedEventLog;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The transactions rows of {@code bench events}: transactions per second of one transactional
 * producer committing {@value #RECORDS} records of {@value #SIZE} B per transaction (begin, send
 * ×{@value #RECORDS}, commit, wait for the commit), on one partition and spread over two, beside
 * Kafka's transactional producer against the same broker ({@code flush.messages=1} on every topic,
 * the transaction state log included; acks=all, idempotent, retry backoff lowered to 5 ms so that
 * waiting for the previous commit's markers does not cost Kafka's default 100 ms). The embedded
 * side also reports the fsyncs it issued per transaction (counted by the log). Each side's
 * committed records are counted afterwards (Kafka with a {@code read_committed} consumer) and must
 * equal what was sent.
 */
final class TransactionRows {
  static final int RECORDS = 10;
  static final int SIZE = 1024;

  private TransactionRows() {}

  /** Runs the rows and adds their keys to {@code metrics}. */
  static void run(
      Path dir, String bootstrap, boolean quick, PrintStream out, Map<String, Double> metrics)
      throws Exception {
    int txns = quick ? 150 : 400;
    int rounds = quick ? 1 : 3;
    out.printf("%-12s %-18s %12s %14s%n", "transaction", "log", "txn/s", "fsyncs/txn");
    for (int partitions : new int[] {1, 2}) {
      Embedded embedded = new Embedded(dir.resolve("embedded-" + partitions), partitions);
      Kafka kafka = new Kafka(bootstrap, partitions);
      try {
        embedded.run(txns / 4);
        kafka.run(txns / 4);
        double bestE = 0;
        double bestK = 0;
        long fsyncs = 0;
        long measured = 0;
        for (int round = 0; round < rounds; round++) {
          long before = EmbeddedEventLog.fsyncCount();
          bestE = Math.max(bestE, embedded.run(txns));
          fsyncs += EmbeddedEventLog.fsyncCount() - before;
          measured += txns;
          bestK = Math.max(bestK, kafka.run(txns));
        }
        embedded.check();
        kafka.check();
        double perTxn = fsyncs / (double) measured;
        String label = RECORDS + "x" + SIZE + "B/" + partitions + "p";
        out.printf(
            Locale.ROOT, "%-12s %-18s %12.0f %14.2f%n", label, "bulwark-embedded", bestE, perTxn);
        out.printf(Locale.ROOT, "%-12s %-18s %12.0f %14s%n", label, "kafka", bestK, "-");
        out.printf(
            Locale.ROOT,
            "%-12s transactions/s ratio embedded/kafka = %.2f%n",
            label,
            bestE / bestK);
        String suffix = partitions == 1 ? "" : "_" + partitions + "p";
        metrics.put("txn_per_s" + suffix, bestE);
        metrics.put("kafka_txn_per_s" + suffix, bestK);
        metrics.put("txn_ratio" + suffix, bestE / bestK);
        metrics.put("fsyncs_per_txn" + suffix, perTxn);
      } finally {
        embedded.close();
        kafka.close();
      }
    }
  }

  private static byte[][] values() {
    Random random = new Random(SIZE);
    byte[][] values = new byte[RECORDS][];
    for (int i = 0; i < values.length; i++) {
      values[i] = new byte[SIZE];
      random.nextBytes(values[i]);
    }
    return values;
  }

  /** The embedded log with its default durability (fsync per batch), its own directory. */
  private static final class Embedded implements AutoCloseable {
    private final EmbeddedEventLog log;
    private final Producer producer;
    private final int partitions;
    private final byte[][] values = values();
    private long sent;

    Embedded(Path dir, int partitions) {
      this.partitions = partitions;
      this.log = EmbeddedEventLog.open(EmbeddedLogConfig.builder(dir).build());
      log.createTopic(TopicSpec.of("txn", partitions));
      this.producer =
          log.producer(
              ProducerConfig.builder()
                  .transactionalId("bench-txn-" + partitions)
                  .propagateContext(false)
                  .build());
    }

    double run(int txns) {
      long start = System.nanoTime();
      for (int t = 0; t < txns; t++) {
        producer.beginTransaction();
        for (int i = 0; i < RECORDS; i++) {
          var unused =
              producer.send(
                  OutgoingRecord.builder("txn").value(values[i]).partition(i % partitions).build());
        }
        producer.commitTransaction();
      }
      double rate = txns / ((System.nanoTime() - start) / 1e9);
      sent += (long) txns * RECORDS;
      return rate;
    }

    void check() {
      long stored = 0;
      for (int p = 0; p < partitions; p++) {
        long[] bounds = log.bounds(new TopicPartition("txn", p));
        stored += bounds[1] - bounds[0];
      }
      if (stored != sent) {
        throw new IllegalStateException("embedded stored " + stored + " records, sent " + sent);
      }
    }

    @Override
    public void close() {
      producer.close();
      log.close();
    }
  }

  /** Kafka's transactional producer; the topic fsyncs every message like the broker's own logs. */
  private static final class Kafka implements AutoCloseable {
    private final String bootstrap;
    private final String topic;
    private final int partitions;
    private final KafkaProducer<byte[], byte[]> producer;
    private final byte[][] values = values();
    private long sent;

    Kafka(String bootstrap, int partitions) throws Exception {
      this.bootstrap = bootstrap;
      this.partitions = partitions;
      this.topic = "txn-" + partitions + "-" + System.nanoTime();
      Properties a = new Properties();
      a.put("bootstrap.servers", bootstrap);
      try (Admin admin = Admin.create(a)) {
        admin
            .createTopics(
                List.of(
                    new NewTopic(topic, Optional.of(partitions), Optional.empty())
                        .configs(Map.of("flush.messages", "1"))))
            .all()
            .get();
      }
      Properties p = new Properties();
      p.put("bootstrap.servers", bootstrap);
      p.put("acks", "all");
      p.put("enable.idempotence", "true");
      p.put("transactional.id", topic);
      p.put("linger.ms", "5");
      // the next transaction's first send is refused (CONCURRENT_TRANSACTIONS) until the broker
      // wrote the previous commit's markers; the default 100 ms retry backoff would dominate
      p.put("retry.backoff.ms", "5");
      this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
      producer.initTransactions();
    }

    double run(int txns) {
      long start = System.nanoTime();
      for (int t = 0; t < txns; t++) {
        producer.beginTransaction();
        for (int i = 0; i < RECORDS; i++) {
          var unused = producer.send(new ProducerRecord<>(topic, i % partitions, null, values[i]));
        }
        producer.commitTransaction();
      }
      double rate = txns / ((System.nanoTime() - start) / 1e9);
      sent += (long) txns * RECORDS;
      return rate;
    }

    /** Counts the committed records with a read_committed consumer. */
    void check() {
      Properties p = new Properties();
      p.put("bootstrap.servers", bootstrap);
      p.put("isolation.level", "read_committed");
      p.put("enable.auto.commit", "false");
      long count = 0;
      try (KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        List<org.apache.kafka.common.TopicPartition> tps = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
          tps.add(new org.apache.kafka.common.TopicPartition(topic, i));
        }
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (count < sent && System.nanoTime() < deadline) {
          count += consumer.poll(Duration.ofMillis(200)).count();
        }
      }
      if (count != sent) {
        throw new IllegalStateException("kafka committed " + count + " records, sent " + sent);
      }
    }

    @Override
    public void close() {
      producer.close();
    }
  }
}
