package io.bulwark.events.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Apache Kafka (KRaft, combined broker+controller) in a child JVM, started from
 * the Maven Central jars on the current class path ({@code org.apache.kafka:kafka_2.13}). No
 * Docker, loopback only. Used by the Kafka backend tests and by the {@code events} benchmark.
 */
public final class KafkaTestBroker implements AutoCloseable {
  private static KafkaTestBroker shared;

  private final Process process;
  private final String bootstrap;
  private final Path dir;

  private KafkaTestBroker(Process process, String bootstrap, Path dir) {
    this.process = process;
    this.bootstrap = bootstrap;
    this.dir = dir;
  }

  /** One broker per JVM for tests, stopped at exit. */
  public static synchronized KafkaTestBroker shared() throws Exception {
    if (shared == null) {
      Path dir = Files.createTempDirectory("bulwark-kafka-test");
      shared = start(dir, Map.of(), List.of("-XX:TieredStopAtLevel=1"));
      KafkaTestBroker b = shared;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    b.close();
                    deleteRecursively(dir);
                  }));
    }
    return shared;
  }

  /**
   * Starts a broker with data in {@code dir}; {@code overrides} replace the default server
   * properties (e.g. {@code log.flush.interval.messages=1} for fsync per batch).
   */
  public static KafkaTestBroker start(Path dir, Map<String, String> overrides, List<String> jvmArgs)
      throws Exception {
    int port = freePort();
    int controllerPort = freePort();
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
    p.putAll(overrides);
    Properties props = new Properties();
    props.putAll(p);
    Path config = dir.resolve("server.properties");
    Files.createDirectories(dir);
    try (var w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
      props.store(w, "bulwark test broker");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(java);
    cmd.add("-Xmx768m");
    // the broker's own log (slf4j-simple, on the test class path) goes to broker.log
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
    cmd.addAll(jvmArgs);
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            KafkaBrokerMain.class.getName(),
            config.toString(),
            Uuid.randomUuid().toString()));
    Process process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("broker.log").toFile())
            .start();
    KafkaTestBroker broker = new KafkaTestBroker(process, "127.0.0.1:" + port, dir);
    broker.awaitReady(Duration.ofSeconds(90));
    return broker;
  }

  private void awaitReady(Duration limit) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("request.timeout.ms", "2000");
    p.put("default.api.timeout.ms", "3000");
    long end = System.nanoTime() + limit.toNanos();
    try (Admin admin = Admin.create(p)) {
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "Kafka broker exited with " + process.exitValue() + "; log:\n" + tail());
        }
        try {
          if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (java.util.concurrent.ExecutionException
            | java.util.concurrent.TimeoutException e) {
          if (System.nanoTime() - end > 0) {
            close();
            throw new IllegalStateException(
                "Kafka broker not ready in " + limit + ":\n" + tail(), e);
          }
        }
      }
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("broker.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  public String bootstrapServers() {
    return bootstrap;
  }

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
