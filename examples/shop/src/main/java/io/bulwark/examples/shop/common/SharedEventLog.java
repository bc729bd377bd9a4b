package io.bulwark.examples.shop.common;

import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EventLog;
import io.bulwark.events.EventLogs;
import io.bulwark.events.KafkaLogConfig;
import io.bulwark.events.TopicSpec;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The shop's event log, shared by everything in this JVM that uses one location: the embedded log
 * in a directory (it allows one opener per directory), or a Kafka cluster named {@code
 * kafka://host:port[,host:port...]} (one client set per JVM is enough). {@link #acquire} opens it
 * once (with the topic {@value #ORDERS_TOPIC}, {@value #ORDERS_PARTITIONS} partitions) and counts
 * its users; the last {@link Lease#close()} closes it. Thread-safe.
 */
public final class SharedEventLog {
  public static final String ORDERS_TOPIC = "orders";
  public static final int ORDERS_PARTITIONS = 2;

  private static final ReentrantLock LOCK = new ReentrantLock();

  /** A location naming a Kafka cluster starts with this; anything else is a directory. */
  public static final String KAFKA_PREFIX = "kafka://";

  private static final Map<String, Entry> OPEN = new HashMap<>();

  private SharedEventLog() {}

  private static final class Entry {
    final EventLog log;
    int users;

    Entry(EventLog log) {
      this.log = log;
    }
  }

  /** One user's hold on the log; closing it twice releases once. */
  public static final class Lease implements AutoCloseable {
    private final String directory;
    private final EventLog log;
    private boolean released;

    private Lease(String directory, EventLog log) {
      this.directory = directory;
      this.log = log;
    }

    public EventLog log() {
      return log;
    }

    @Override
    public void close() {
      LOCK.lock();
      try {
        if (released) {
          return;
        }
        released = true;
        Entry e = OPEN.get(directory);
        if (e != null && --e.users == 0) {
          OPEN.remove(directory);
          e.log.close();
        }
      } finally {
        LOCK.unlock();
      }
    }
  }

  /** Opens (or joins) the embedded log in {@code directory}. */
  public static Lease acquire(Path directory) {
    return acquire(directory.toString());
  }

  /**
   * Opens (or joins) the log at {@code location}: {@value #KAFKA_PREFIX}{@code host:port[,...]} for
   * Kafka, else the directory of an embedded log.
   *
   * @throws IllegalArgumentException naming the location when it is blank or a bad Kafka address
   */
  public static Lease acquire(String location) {
    if (location.isBlank()) {
      throw new IllegalArgumentException("event log location must not be blank");
    }
    String key =
        location.startsWith(KAFKA_PREFIX)
            ? location
            : Path.of(location).toAbsolutePath().normalize().toString();
    LOCK.lock();
    try {
      Entry e = OPEN.get(key);
      if (e == null) {
        EventLog log = open(key);
        try {
          log.createTopic(TopicSpec.of(ORDERS_TOPIC, ORDERS_PARTITIONS));
        } catch (RuntimeException ex) {
          log.close();
          throw ex;
        }
        e = new Entry(log);
        OPEN.put(key, e);
      }
      e.users++;
      return new Lease(key, e.log);
    } finally {
      LOCK.unlock();
    }
  }

  private static EventLog open(String location) {
    if (location.startsWith(KAFKA_PREFIX)) {
      String servers = location.substring(KAFKA_PREFIX.length());
      return EventLogs.kafka(KafkaLogConfig.builder(servers).build());
    }
    return EventLogs.embedded(EmbeddedLogConfig.builder(Path.of(location)).build());
  }
}
