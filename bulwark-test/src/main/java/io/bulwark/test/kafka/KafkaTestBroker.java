package io.bulwark.test.kafka;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.RetriableException;
import org.jspecify.annotations.Nullable;

/**
 * A real single-node Apache Kafka (KRaft, combined broker+controller) in a child JVM, started from
 * the Maven Central jars on the current class path ({@code org.apache.kafka:kafka_2.13}, an
 * optional dependency of {@code bulwark-test} that the using module declares in test scope). No
 * Docker, loopback only, topics are never created automatically.
 *
 * <p>Start-up waits until the broker answers a cluster description (at most 90 s), never a fixed
 * time. {@link #createTopic(String, int)} returns only once every partition's leader serves it, so
 * an idempotent producer's first batch is not refused by a leader that is named but not yet
 * working. {@link #shared()} gives one broker per test JVM, stopped at exit. Thread-safe.
 */
public final class KafkaTestBroker implements AutoCloseable {
  private static final Duration START_LIMIT = Duration.ofSeconds(90);
  private static final Duration TOPIC_LIMIT = Duration.ofSeconds(30);
  private static final Duration LEADER_RETRY_BACKOFF = Duration.ofMillis(20);
  private static final ReentrantLock SHARED_LOCK = new ReentrantLock();
  private static @Nullable KafkaTestBroker shared;

  private final Process process;
  private final String bootstrap;
  private final Path dir;

  private KafkaTestBroker(Process process, String bootstrap, Path dir) {
    this.process = process;
    this.bootstrap = bootstrap;
    this.dir = dir;
  }

  /** The broker shared by this test JVM, started on first use; stopped and deleted at exit. */
  public static KafkaTestBroker shared() {
    SHARED_LOCK.lock();
    try {
      KafkaTestBroker broker = shared;
      if (broker == null) {
        Path dir = Files.createTempDirectory("bulwark-kafka-test");
        broker = start(dir, Map.of(), List.of("-XX:TieredStopAtLevel=1"));
        shared = broker;
        KafkaTestBroker stop = broker;
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      stop.close();
                      deleteRecursively(dir);
                    },
                    "kafka-test-stop"));
      }
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      SHARED_LOCK.unlock();
    }
  }

  /**
   * Starts a broker with data in {@code dir}; {@code overrides} replace the default server
   * properties (e.g. {@code log.flush.interval.messages=1} for fsync per batch) and {@code jvmArgs}
   * are added to the child JVM's command line.
   *
   * @throws IllegalStateException if the broker exits or is not ready within 90 s (with the tail of
   *     its log)
   */
  public static KafkaTestBroker start(Path dir, Map<String, String> overrides, List<String> jvmArgs)
      throws IOException {
    int port = freePort();
    int controllerPort = freePort();
    Map<String, String> p = defaults(dir, port, controllerPort);
    p.putAll(overrides);
    Properties props = new Properties();
    props.putAll(p);
    Path config = dir.resolve("server.properties");
    Files.createDirectories(dir);
    try (var w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
      props.store(w, "bulwark test broker");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xmx768m");
    // the broker's own log (through slf4j, if a binding is on the class path) goes to broker.log
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
    cmd.addAll(jvmArgs);
    cmd.addAll(
        List.of(
            "-cp",
            childClassPath(),
            KafkaBrokerMain.class.getName(),
            config.toString(),
            Uuid.randomUuid().toString()));
    Process process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("broker.log").toFile())
            .start();
    KafkaTestBroker broker = new KafkaTestBroker(process, "127.0.0.1:" + port, dir);
    broker.awaitReady(START_LIMIT);
    return broker;
  }

  private static Map<String, String> defaults(Path dir, int port, int controllerPort) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", dir.resolve("data").toString());
    p.put("num.partitions", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("group.min.session.timeout.ms", "500");
    p.put("auto.create.topics.enable", "false");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    return p;
  }

  /** The test JVM's class path and module path: the broker's jars are on one of them. */
  private static String childClassPath() {
    List<String> parts = new ArrayList<>();
    for (String key : List.of("java.class.path", "jdk.module.path")) {
      String value = System.getProperty(key);
      if (value != null && !value.isBlank()) {
        parts.add(value);
      }
    }
    return String.join(File.pathSeparator, parts);
  }

  private void awaitReady(Duration limit) {
    long end = System.nanoTime() + limit.toNanos();
    try (Admin admin = admin()) {
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "Kafka broker exited with " + process.exitValue() + "; log:\n" + tail());
        }
        try {
          if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          if (System.nanoTime() - end > 0) {
            close();
            throw new IllegalStateException(
                "Kafka broker not ready in " + limit + ":\n" + tail(), e);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          close();
          throw new IllegalStateException("interrupted while the Kafka broker started", e);
        }
      }
    }
  }

  /**
   * Creates {@code topic} with {@code partitions} partitions (replication factor 1) and returns
   * once every partition's leader serves it.
   *
   * <p>CreateTopics completes when the controller has committed the topic, but the broker becomes
   * the working leader of each new partition a little later, while its metadata may already name it
   * leader. An idempotent producer whose first batch arrives in that window is refused with
   * NOT_LEADER_OR_FOLLOWER, and its later batches, already in flight, can be appended without the
   * first one. So this waits until a ListOffsets request, which like Produce only the working
   * leader answers, succeeds for every partition.
   *
   * @throws IllegalArgumentException if {@code topic} is blank or {@code partitions} is not
   *     positive
   * @throws IllegalStateException if the topic exists already, or is not served within 30 s
   */
  public void createTopic(String topic, int partitions) {
    if (topic.isBlank()) {
      throw new IllegalArgumentException("topic must not be blank, was \"" + topic + "\"");
    }
    if (partitions <= 0) {
      throw new IllegalArgumentException("partitions must be positive, was " + partitions);
    }
    long deadline = System.nanoTime() + TOPIC_LIMIT.toNanos();
    try (Admin admin = admin()) {
      NewTopic spec = new NewTopic(topic, Optional.of(partitions), Optional.empty());
      admin.createTopics(List.of(spec)).all().get(TOPIC_LIMIT.toSeconds(), TimeUnit.SECONDS);
      awaitLeaders(admin, topic, partitions, deadline);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create topic " + topic + ": " + e.getCause(), e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("topic " + topic + " not created in " + TOPIC_LIMIT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + topic, e);
    }
  }

  /**
   * Retries what the admin client gives up on early (UNKNOWN_TOPIC_OR_PARTITION while the broker's
   * metadata does not list the new topic yet) until the deadline.
   */
  private static void awaitLeaders(Admin admin, String topic, int partitions, long deadline)
      throws InterruptedException, TimeoutException, ExecutionException {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int i = 0; i < partitions; i++) {
      latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
    }
    while (true) {
      long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (remainingMillis <= 0) {
        throw new TimeoutException("no working leader for every partition of " + topic);
      }
      try {
        admin
            .listOffsets(latest, new ListOffsetsOptions().timeoutMs((int) remainingMillis))
            .all()
            .get(remainingMillis, TimeUnit.MILLISECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException)) {
          throw e;
        }
      }
      Thread.sleep(LEADER_RETRY_BACKOFF);
    }
  }

  private Admin admin() {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("request.timeout.ms", "2000");
    p.put("default.api.timeout.ms", "3000");
    return Admin.create(p);
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("broker.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** {@code host:port} for the clients' {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return bootstrap;
  }

  /** The process id of the broker's child JVM. */
  public long pid() {
    return process.pid();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  /** Best effort: the shared broker's temp directory goes when the test JVM exits. */
  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // leave it; the OS cleans /tmp
    }
  }

  /** Stops the broker (forcibly) and waits up to 10 s for its process to end. */
  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
