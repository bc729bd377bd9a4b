package io.bulwark.examples.shop.common;

import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EventLog;
import io.bulwark.events.EventLogs;
import io.bulwark.events.TopicSpec;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The shop's embedded event log, shared by everything in this JVM that uses one directory: the
 * embedded log allows one opener per directory, so {@link #acquire} opens it once (with the topic
 * {@value #ORDERS_TOPIC}, {@value #ORDERS_PARTITIONS} partitions) and counts its users; the last
 * {@link Lease#close()} closes it. Thread-safe.
 */
public final class SharedEventLog {
  public static final String ORDERS_TOPIC = "orders";
  public static final int ORDERS_PARTITIONS = 2;

  private static final ReentrantLock LOCK = new ReentrantLock();
  private static final Map<Path, Entry> OPEN = new HashMap<>();

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
    private final Path directory;
    private final EventLog log;
    private boolean released;

    private Lease(Path directory, EventLog log) {
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

  /** Opens (or joins) the log in {@code directory}. */
  public static Lease acquire(Path directory) {
    Path key = directory.toAbsolutePath().normalize();
    LOCK.lock();
    try {
      Entry e = OPEN.get(key);
      if (e == null) {
        EventLog log = EventLogs.embedded(EmbeddedLogConfig.builder(key).build());
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
}
