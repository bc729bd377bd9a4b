package io.bulwark.examples.shop.catalog;

import io.bulwark.core.time.Clock;
import io.bulwark.data.cache.ReadThroughCache;
import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.EventLog;
import io.bulwark.events.EventRecord;
import io.bulwark.events.RecordMetadata;
import io.bulwark.examples.shop.catalog.CatalogService.ProductView;
import io.bulwark.examples.shop.catalog.CatalogStore.Invalidation;
import io.bulwark.examples.shop.catalog.CatalogStore.Pending;
import io.bulwark.examples.shop.common.Pause;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog's CQRS projection: a consumer (group {@value #GROUP}, shared by the catalog
 * instances, each projecting its partitions) reads the product events of topic {@value #TOPIC} and
 * applies them to the read model ({@link CatalogStore}), then invalidates the changed sku in every
 * instance's cache over the event log and records where that invalidation was stored (so a writer
 * can wait until its own instance applied it).
 *
 * <p>Guarantees: each record is applied at most once to the model (the store skips offsets and
 * event ids it has seen, in the same transaction as the change), so redelivery after a crash or a
 * rebalance is harmless, and offsets are committed to the log only after the records were applied.
 * A change's invalidation is published at least once: an event applied but not invalidated (the
 * projector died in between) is invalidated when a projector starts. {@link #replay} builds a model
 * from offset 0 into another store, which ends equal to the live one.
 */
final class CatalogProjection {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogProjection.class);
  static final String TOPIC = "product-events";
  static final int PARTITIONS = 2;
  static final String GROUP = "catalog-projection";
  static final long MAX_BACKOFF_MS = 1_000;

  private final CatalogStore store;
  private final @Nullable ReadThroughCache<String, ProductView> cache;

  /**
   * @param cache the cache to invalidate on every change; null to build a model only (a replay)
   */
  CatalogProjection(CatalogStore store, @Nullable ReadThroughCache<String, ProductView> cache) {
    this.store = store;
    this.cache = cache;
  }

  /**
   * A consumer of the product events in {@code group}, from the log's start where none committed.
   */
  static Consumer consumer(EventLog log, String group) {
    Consumer c =
        log.consumer(
            ConsumerConfig.builder(group)
                .startFrom(ConsumerConfig.StartFrom.EARLIEST)
                .sessionTimeout(Duration.ofSeconds(5))
                .build());
    c.subscribe(List.of(TOPIC));
    return c;
  }

  /**
   * The projector's loop, until {@code stopping}: polls and commits run on {@code io} (never on
   * this thread: an interrupt during a file read would close the shared log's file channel).
   */
  void run(String instanceId, Consumer consumer, ExecutorService io, BooleanSupplier stopping) {
    if (!retry(instanceId, stopping, this::publishPending)) {
      return;
    }
    long backoff = 0;
    while (!stopping.getAsBoolean()) {
      List<EventRecord> records;
      try {
        records = io.submit(() -> consumer.poll(Duration.ofMillis(200))).get();
        backoff = 0;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | RuntimeException e) {
        if (backoff == 0) {
          LOG.warn("{}: poll of {} failed (retrying): {}", instanceId, TOPIC, e.toString());
        }
        backoff = Math.min(MAX_BACKOFF_MS, Math.max(50, backoff * 2));
        if (!Pause.of(backoff)) {
          return;
        }
        continue;
      }
      for (EventRecord r : records) {
        if (!retry(instanceId, stopping, () -> project(instanceId, r))) {
          return;
        }
      }
      if (!records.isEmpty()) {
        try {
          io.submit((Runnable) consumer::commitSync).get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (ExecutionException | RuntimeException e) {
          // the store's offsets make the redelivery harmless
          LOG.debug("{}: commit failed: {}", instanceId, e.toString());
        }
      }
    }
  }

  /** One step that may fail for a while (the database busy, the log unreachable). */
  private interface Step {
    void run() throws Exception;
  }

  private static boolean retry(String instanceId, BooleanSupplier stopping, Step step) {
    long backoff = 50;
    while (!stopping.getAsBoolean()) {
      try {
        step.run();
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (Exception e) {
        LOG.warn("{}: projection step failed (retrying): {}", instanceId, e.toString());
      }
      if (!Pause.of(backoff)) {
        return false;
      }
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
    return false;
  }

  /** Applies one record, then invalidates what it changed. */
  void project(String instanceId, EventRecord r) throws SQLException {
    String where = TOPIC + "-" + r.partition() + "@" + r.offset();
    ProductEvent event = null;
    try {
      event = ProductEvent.parse(r.value(), where);
    } catch (IllegalArgumentException e) {
      // a record no reader can use would block the partition forever: skipped, loudly
      LOG.error("{}: skipping a bad product event: {}", instanceId, e.getMessage());
    }
    String sku = store.apply(r.partition(), r.offset(), event);
    if (sku != null && event != null) {
      invalidate(event.eventId(), sku);
    }
  }

  private void publishPending() throws SQLException {
    for (Pending p : store.pendingInvalidations()) {
      invalidate(p.eventId(), p.sku());
    }
  }

  private void invalidate(String eventId, String sku) throws SQLException {
    if (cache == null) {
      return;
    }
    RecordMetadata m = cache.invalidate(sku);
    if (m != null) {
      store.invalidated(eventId, new Invalidation(m.partition(), m.offset()));
    }
  }

  /**
   * Builds the model from offset 0 into {@code into} (with a consumer group of its own), until its
   * next offsets reach {@code upTo} in every partition, at most {@code timeout} on {@code clock}.
   *
   * @throws TimeoutException naming the offsets reached and wanted when the timeout passed first
   */
  static void replay(
      EventLog log, CatalogStore into, Map<Integer, Long> upTo, Duration timeout, Clock clock)
      throws SQLException, TimeoutException {
    CatalogProjection p = new CatalogProjection(into, null);
    long end = clock.nanoTime() + timeout.toNanos();
    try (Consumer c = consumer(log, "catalog-replay-" + UUID.randomUUID())) {
      while (!reached(into.offsets(), upTo)) {
        if (clock.nanoTime() - end > 0) {
          throw new TimeoutException(
              "replay of " + TOPIC + " reached " + into.offsets() + ", wanted " + upTo);
        }
        for (EventRecord r : c.poll(Duration.ofMillis(100))) {
          p.project("replay", r);
        }
      }
    }
  }

  static boolean reached(Map<Integer, Long> offsets, Map<Integer, Long> upTo) {
    return upTo.entrySet().stream()
        .allMatch(e -> offsets.getOrDefault(e.getKey(), 0L) >= e.getValue());
  }
}
