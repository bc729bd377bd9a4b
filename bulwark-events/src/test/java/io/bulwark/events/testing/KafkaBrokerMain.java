package io.bulwark.events.testing;

/**
 * Child-JVM entry point of {@link KafkaTestBroker}: formats the KRaft storage (idempotently) and
 * runs a combined broker+controller node with the given properties file.
 */
public final class KafkaBrokerMain {
  private KafkaBrokerMain() {}

  public static void main(String[] args) throws Exception {
    String config = args[0];
    String clusterId = args[1];
    int rc =
        kafka.tools.StorageTool.execute(
            new String[] {"format", "-t", clusterId, "-c", config, "--ignore-formatted"},
            System.out);
    if (rc != 0) {
      System.err.println("storage format failed: " + rc);
      System.exit(rc);
    }
    kafka.Kafka.main(new String[] {config});
  }
}
