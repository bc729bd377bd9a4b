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
import io.bulwark.examples.shop.common.ConsumerLoop;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
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
   * The projector's loop, until the loop must end: first publishes the invalidations an earlier
   * projector left pending, then projects each record polled (see {@link ConsumerLoop}: polls and
   * commits never on this thread, each record retried until applied).
   */
  void run(String instanceId, ConsumerLoop loop) {
    if (loop.retry("publishing pending invalidations", this::publishPending)) {
      loop.run(r -> project(instanceId, r));
    }
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
