package io.bulwark.test.kafka;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Child-JVM entry point of {@link KafkaTestBroker}: formats the KRaft storage (idempotently) and
 * runs a combined broker+controller node with the given properties file.
 *
 * <p>The broker halts when its standard input ends: {@link KafkaTestBroker} holds the other end of
 * that pipe, so a parent JVM that dies without closing the broker (killed, crashed) takes the
 * broker with it instead of leaving it running.
 *
 * <p>The broker's own entry points live in {@code org.apache.kafka:kafka_2.13}, a jar whose file
 * name yields no valid module name, so this class reaches them by name at run time (the child JVM
 * runs on the class path) instead of compiling against them.
 */
public final class KafkaBrokerMain {
  private KafkaBrokerMain() {}

  /**
   * Arguments: the server properties file, then the cluster id to format the storage with.
   *
   * @throws Throwable whatever the broker's start-up throws
   */
  public static void main(String[] args) throws Throwable {
    if (args.length != 2) {
      throw new IllegalArgumentException(
          "expected <server.properties> <cluster id>, got " + args.length + " arguments");
    }
    Thread.ofPlatform().daemon().name("parent-watch").start(KafkaBrokerMain::haltWhenOrphaned);
    String config = args[0];
    String clusterId = args[1];
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    MethodHandle format =
        lookup.findStatic(
            Class.forName("kafka.tools.StorageTool"),
            "execute",
            MethodType.methodType(int.class, String[].class, PrintStream.class));
    int rc =
        (int)
            format.invokeExact(
                new String[] {"format", "-t", clusterId, "-c", config, "--ignore-formatted"},
                System.out);
    if (rc != 0) {
      System.err.println("storage format failed: " + rc);
      System.exit(rc);
    }
    MethodHandle run =
        lookup.findStatic(
            Class.forName("kafka.Kafka"),
            "main",
            MethodType.methodType(void.class, String[].class));
    run.invokeExact(new String[] {config});
  }

  /** Reads standard input to its end (the parent JVM closed it or died), then halts. */
  private static void haltWhenOrphaned() {
    try {
      while (System.in.read() >= 0) {
        // nothing is sent; only the end matters
      }
    } catch (IOException e) {
      // the pipe broke: the parent is gone as well
    }
    Runtime.getRuntime().halt(0);
  }
}
