package io.bulwark.data.cache;

import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.EventRecord;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.RecordMetadata;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The engine of an {@link InvalidationChannel}: one producer for this instance's invalidations and
 * one consumer (in a group of its own, starting at the end of the topic) on a virtual thread that
 * evicts delivered keys.
 *
 * <p>Design notes. Missed-record detection: {@code expected} holds, per assigned partition, the
 * next offset this consumer must see. A record above it is a gap (records were skipped: retention,
 * an offset reset after a reconnect); a change of assignment or a failed poll means the consumer
 * may have lost its place. Each of these flushes the whole cache before the offset is marked
 * applied, so {@link #awaitApplied} never reports an invalidation as applied while a stale value
 * could still be read. The producer is idempotent and not transactional, so offsets are dense on
 * both backends.
 */
final class InvalidationConsumer<K> {
  static final String SENT_AT = "bulwark-cache-sent-at";
  static final String ORIGIN = "bulwark-cache-origin";
  static final String CACHE = "bulwark-cache-name";

  private final InvalidationChannel<K> channel;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition progress = lock.newCondition();
  // next offset applied, per partition; guarded by lock
  private final Map<TopicPartition, Long> applied = new HashMap<>();
  private final CountDownLatch ready = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running;
  private volatile @Nullable Throwable startFailure;
  private @Nullable InvalidationTarget<K> target;
  private @Nullable Producer producer;
  private @Nullable Thread thread;

  // test hook: a paused consumer does not poll (simulates a stalled or disconnected instance)
  private final ReentrantLock pauseLock = new ReentrantLock();
  private final Condition unpaused = pauseLock.newCondition();
  private final Condition parked = pauseLock.newCondition();
  private boolean paused;
  private boolean parkedInPause;
  // test hook: the next poll fails as if the connection dropped
  volatile boolean failNextPoll;
  // test hook: before the next poll, jump to this offset (as an offset reset after a reconnect)
  volatile long seekOnNextPoll = -1;

  InvalidationConsumer(InvalidationChannel<K> channel) {
    this.channel = channel;
  }

  /** Binds {@code target}, joins the topic and returns once the consumer is positioned. */
  void start(InvalidationTarget<K> target) {
    lock.lock();
    try {
      if (this.target != null) {
        throw new IllegalStateException(
            "invalidation channel on topic "
                + channel.topic
                + " is already bound to cache "
                + this.target.cacheName());
      }
      this.target = target;
    } finally {
      lock.unlock();
    }
    channel.log.createTopic(TopicSpec.of(channel.topic, 1));
    producer = channel.log.producer(ProducerConfig.builder().propagateContext(false).build());
    running = true;
    thread =
        Thread.ofVirtual()
            .name("cache-invalidation-" + target.cacheName() + "-" + channel.instanceId)
            .start(() -> run(target));
    boolean joined;
    try {
      joined = ready.await(channel.joinTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while joining topic " + channel.topic, e);
    }
    Throwable failure = startFailure;
    if (!joined || failure != null) {
      close();
      throw new IllegalStateException(
          "cache "
              + target.cacheName()
              + ": invalidation consumer did not join topic "
              + channel.topic
              + (failure == null ? " within " + channel.joinTimeout : ""),
          failure);
    }
  }

  RecordMetadata publish(String cacheName, K key) {
    Producer p = producer;
    if (p == null) {
      throw new IllegalStateException("invalidation channel " + channel.topic + " is not bound");
    }
    OutgoingRecord record =
        OutgoingRecord.builder(channel.topic)
            .key(channel.keySerde.serialize(key))
            .header(SENT_AT, Long.toString(channel.clock.wallMillis()))
            .header(ORIGIN, channel.instanceId)
            .header(CACHE, cacheName)
            .build();
    try {
      return p.send(record).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheInvalidationException(
          "cache " + cacheName + ": interrupted waiting for the invalidation's acknowledgement", e);
    } catch (ExecutionException e) {
      throw new CacheInvalidationException(
          "cache " + cacheName + ": publishing an invalidation to " + channel.topic + " failed",
          e.getCause() == null ? e : e.getCause());
    }
  }

  boolean awaitApplied(RecordMetadata record, Duration timeout) throws InterruptedException {
    TopicPartition tp = record.topicPartition();
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (applied.getOrDefault(tp, -1L) <= record.offset()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        progress.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Stops polling; returns once the consumer is parked (not inside a poll). */
  void pause() throws InterruptedException {
    pauseLock.lock();
    try {
      paused = true;
      while (!parkedInPause && running) {
        parked.await();
      }
    } finally {
      pauseLock.unlock();
    }
  }

  void resume() {
    pauseLock.lock();
    try {
      paused = false;
      unpaused.signalAll();
    } finally {
      pauseLock.unlock();
    }
  }

  private void waitWhilePaused() throws InterruptedException {
    pauseLock.lock();
    try {
      while (paused && running) {
        parkedInPause = true;
        parked.signalAll();
        unpaused.await();
      }
      parkedInPause = false;
    } finally {
      pauseLock.unlock();
    }
  }

  private void run(InvalidationTarget<K> target) {
    Map<TopicPartition, Long> expected = new HashMap<>();
    Set<TopicPartition> assigned = new HashSet<>();
    try (Consumer consumer =
        channel.log.consumer(
            ConsumerConfig.builder(channel.topic + "-" + channel.instanceId)
                .startFrom(ConsumerConfig.StartFrom.LATEST)
                .build())) {
      consumer.subscribe(List.of(channel.topic));
      while (running && consumer.assignment().isEmpty()) {
        List<EventRecord> early = consumer.poll(channel.pollTimeout);
        if (!early.isEmpty()) {
          // cannot happen before the first assignment; be safe: nothing is cached yet
          target.flush("records before assignment");
        }
      }
      position(consumer, expected, assigned);
      markApplied(expected);
      ready.countDown();
      while (running) {
        waitWhilePaused();
        if (!running) {
          break;
        }
        List<EventRecord> records;
        try {
          if (failNextPoll) {
            failNextPoll = false;
            throw new IllegalStateException("injected poll failure (test hook)");
          }
          long seek = seekOnNextPoll;
          if (seek >= 0) {
            seekOnNextPoll = -1;
            for (TopicPartition tp : consumer.assignment()) {
              consumer.seek(tp, seek);
            }
          }
          records = consumer.poll(channel.pollTimeout);
        } catch (RuntimeException e) {
          if (!running) {
            break;
          }
          target.flush("poll failed (" + e + "); invalidations may have been missed");
          position(consumer, expected, assigned);
          markApplied(expected);
          continue;
        }
        if (!consumer.assignment().equals(assigned)) {
          target.flush("partitions reassigned: " + assigned + " -> " + consumer.assignment());
          position(consumer, expected, assigned);
        }
        for (EventRecord r : records) {
          apply(target, r, expected);
        }
        markApplied(expected);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      System.getLogger(InvalidationConsumer.class.getName())
          .log(
              System.Logger.Level.WARNING,
              "invalidation consumer of " + channel.topic + " died",
              e);
      startFailure = e;
      if (ready.getCount() > 0) {
        ready.countDown();
      } else {
        target.flush("invalidation consumer stopped: " + e);
      }
    } finally {
      stopped.countDown();
    }
  }

  private void apply(
      InvalidationTarget<K> target, EventRecord r, Map<TopicPartition, Long> expected) {
    TopicPartition tp = r.topicPartition();
    Long next = expected.get(tp);
    if (next == null || r.offset() > next) {
      target.flush(
          "offset gap on "
              + tp
              + ": expected offset "
              + next
              + ", got "
              + r.offset()
              + "; invalidations may have been missed");
    }
    if (next == null || r.offset() >= next) {
      expected.put(tp, r.offset() + 1);
    }
    if (!target.cacheName().equals(r.headers().get(CACHE))
        || channel.instanceId.equals(r.headers().get(ORIGIN))) {
      return; // another cache's record, or our own (evicted before publishing)
    }
    long lagMillis = lagMillis(r);
    if (lagMillis > target.maxLagMillis()) {
      target.flush(
          "invalidation at "
              + tp
              + "@"
              + r.offset()
              + " delivered "
              + lagMillis
              + " ms after publish, above the bound of "
              + target.maxLagMillis()
              + " ms");
      return;
    }
    byte[] key = r.key();
    if (key == null) {
      target.flush("invalidation without a key at " + tp + "@" + r.offset());
      return;
    }
    K decoded;
    try {
      decoded = channel.keySerde.deserialize(key);
    } catch (RuntimeException e) {
      target.flush("undecodable invalidation key at " + tp + "@" + r.offset() + ": " + e);
      return;
    }
    target.evictDelivered(decoded, Math.max(0, lagMillis) * 1_000_000L);
  }

  private long lagMillis(EventRecord r) {
    String sentAt = r.headers().get(SENT_AT);
    long sent;
    try {
      sent = sentAt == null ? r.timestampMillis() : Long.parseLong(sentAt);
    } catch (NumberFormatException e) {
      sent = r.timestampMillis();
    }
    return channel.clock.wallMillis() - sent;
  }

  private static void position(
      Consumer consumer, Map<TopicPartition, Long> expected, Set<TopicPartition> assigned) {
    expected.clear();
    assigned.clear();
    for (TopicPartition tp : consumer.assignment()) {
      expected.put(tp, consumer.position(tp));
      assigned.add(tp);
    }
  }

  private void markApplied(Map<TopicPartition, Long> expected) {
    lock.lock();
    try {
      for (Map.Entry<TopicPartition, Long> e : expected.entrySet()) {
        applied.merge(e.getKey(), e.getValue(), Math::max);
      }
      progress.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void close() {
    running = false;
    resume();
    Thread t = thread;
    if (t != null) {
      try {
        if (!stopped.await(channel.pollTimeout.toMillis() * 10 + 5_000, TimeUnit.MILLISECONDS)) {
          t.interrupt();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Producer p = producer;
    if (p != null) {
      p.close();
    }
  }
}
