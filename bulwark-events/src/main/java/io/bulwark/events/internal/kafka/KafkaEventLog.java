package io.bulwark.events.internal.kafka;

import io.bulwark.core.time.Clock;
import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.EventLog;
import io.bulwark.events.EventLogException;
import io.bulwark.events.KafkaLogConfig;
import io.bulwark.events.PartitionLag;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.TopicSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The Kafka backend: the same {@link EventLog} API on kafka-clients. Producers use acks=all and
 * idempotence (transactions with a transactional id), consumers read with read_committed and commit
 * manually. Keys are mapped to partitions by Bulwark's documented hash, which equals Kafka's
 * default partitioner, so the embedded log and Kafka place a key identically. Thread-safe.
 */
public final class KafkaEventLog implements EventLog {
  private static final long ADMIN_TIMEOUT_SECONDS = 30;
  private static final Duration LEADER_RETRY_BACKOFF = Duration.ofMillis(20);

  private final KafkaLogConfig config;
  private final Admin admin;
  private final Map<String, Integer> partitions = new ConcurrentHashMap<>();

  public KafkaEventLog(KafkaLogConfig config) {
    this.config = config;
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.putAll(config.clientProperties());
    this.admin = Admin.create(p);
  }

  Map<String, Object> baseProperties() {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", config.bootstrapServers());
    return p;
  }

  Map<String, String> overrides() {
    return config.clientProperties();
  }

  /** The injected clock; the backend reads time only through it. */
  Clock clock() {
    return config.clock();
  }

  /**
   * Creates the topic and returns only once every partition's leader accepts requests for it.
   *
   * <p>CreateTopics completes when the controller has committed the topic, but a broker becomes the
   * working leader of each new partition a little later, one partition after another, while its
   * metadata answers may already name it as leader. A produce request that arrives in that window
   * is rejected with NOT_LEADER_OR_FOLLOWER. For an idempotent producer that is not just a retry:
   * its later batches to the same partition, already in flight, can reach the broker after it
   * became leader and are appended without the first one (a partition with no producer state
   * accepts any first sequence number), and the retried first batch is then refused with
   * OUT_OF_ORDER_SEQUENCE_NUMBER until it expires. So this waits (bounded by the admin timeout)
   * until a ListOffsets request, which like Produce is answered only by the partition's working
   * leader, succeeds for every partition.
   */
  @Override
  public void createTopic(TopicSpec spec) {
    long deadline = config.clock().nanoTime() + TimeUnit.SECONDS.toNanos(ADMIN_TIMEOUT_SECONDS);
    Map<String, String> configs = new HashMap<>();
    Duration retention = spec.retention();
    if (retention != null) {
      configs.put("retention.ms", Long.toString(retention.toMillis()));
    }
    if (spec.retentionBytes() > 0) {
      configs.put("retention.bytes", Long.toString(spec.retentionBytes()));
    }
    NewTopic topic =
        new NewTopic(spec.name(), Optional.of(spec.partitions()), replication()).configs(configs);
    try {
      admin.createTopics(List.of(topic)).all().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new EventLogException("cannot create topic " + spec.name() + ": " + e.getCause(), e);
      }
      int existing = partitionCount(spec.name());
      if (existing != spec.partitions()) {
        throw new IllegalArgumentException(
            "topic '"
                + spec.name()
                + "' exists with "
                + existing
                + " partitions, not "
                + spec.partitions());
      }
    } catch (InterruptedException | TimeoutException e) {
      throw failure("cannot create topic " + spec.name(), e);
    }
    awaitLeaders(spec.name(), spec.partitions(), deadline);
    partitions.put(spec.name(), spec.partitions());
  }

  /**
   * Waits until the leader of each of {@code count} partitions of {@code topic} serves it. The
   * admin client retries NOT_LEADER_OR_FOLLOWER itself but gives up on UNKNOWN_TOPIC_OR_PARTITION
   * (the broker's metadata may not list the topic yet), so retriable errors are retried here too.
   */
  private void awaitLeaders(String topic, int count, long deadline) {
    Map<org.apache.kafka.common.TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int i = 0; i < count; i++) {
      latest.put(new org.apache.kafka.common.TopicPartition(topic, i), OffsetSpec.latest());
    }
    String what = "topic " + topic + " created, but its partitions have no working leader";
    while (true) {
      long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - config.clock().nanoTime());
      try {
        if (remainingMillis <= 0) {
          throw new TimeoutException("after " + ADMIN_TIMEOUT_SECONDS + " s");
        }
        admin
            .listOffsets(latest, new ListOffsetsOptions().timeoutMs((int) remainingMillis))
            .all()
            .get(remainingMillis, TimeUnit.MILLISECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException)
            || deadline - config.clock().nanoTime() <= LEADER_RETRY_BACKOFF.toNanos()) {
          throw new EventLogException(what + ": " + e.getCause(), e);
        }
      } catch (InterruptedException | TimeoutException e) {
        throw failure(what, e);
      }
      try {
        Thread.sleep(LEADER_RETRY_BACKOFF);
      } catch (InterruptedException e) {
        throw failure(what, e);
      }
    }
  }

  private Optional<Short> replication() {
    return config.replicationFactor() < 0
        ? Optional.empty()
        : Optional.of(config.replicationFactor());
  }

  @Override
  public int partitionCount(String topic) {
    Integer cached = partitions.get(topic);
    if (cached != null) {
      return cached;
    }
    try {
      TopicDescription d =
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS)
              .get(topic);
      if (d == null) {
        throw new IllegalArgumentException("unknown topic '" + topic + "'");
      }
      int n = d.partitions().size();
      partitions.put(topic, n);
      return n;
    } catch (ExecutionException e) {
      throw new IllegalArgumentException("unknown topic '" + topic + "': " + e.getCause(), e);
    } catch (InterruptedException | TimeoutException e) {
      throw failure("cannot describe topic " + topic, e);
    }
  }

  @Override
  public Producer producer(ProducerConfig producerConfig) {
    return new KafkaProducerAdapter(this, producerConfig);
  }

  @Override
  public Consumer consumer(ConsumerConfig consumerConfig) {
    return new KafkaConsumerAdapter(this, consumerConfig);
  }

  @Override
  public String backend() {
    return "kafka";
  }

  @Override
  public List<String> consumerGroups() {
    return new KafkaLag(admin, ADMIN_TIMEOUT_SECONDS).groups();
  }

  @Override
  public List<PartitionLag> consumerLag(String group) {
    return new KafkaLag(admin, ADMIN_TIMEOUT_SECONDS).lag(group);
  }

  @Override
  public List<PartitionLag> consumerLag(String group, String topic) {
    return new KafkaLag(admin, ADMIN_TIMEOUT_SECONDS).lag(group, topic, partitionCount(topic));
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }

  static EventLogException failure(String what, Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    return new EventLogException(what + ": " + e, e);
  }
}
