package io.bulwark.examples.shop.demo;

import io.bulwark.chaos.Chaos;
import io.bulwark.examples.shop.Shop;
import io.bulwark.examples.shop.common.SharedEventLog;
import io.bulwark.examples.shop.shipping.ShippingService;
import io.bulwark.runtime.ServiceStats;
import io.bulwark.runtime.dashboard.Dashboard;
import io.bulwark.runtime.dashboard.EventLogLag;
import io.bulwark.runtime.dashboard.TopicLagSource;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The runtime's live dashboard during an interactive demo run: on loopback, its URL printed at
 * start, up while the shop runs; fed the stats the live view takes, the game day's chaos faults and
 * the orders service's saga runs. A headless run gets {@link #NONE} (its output is unchanged).
 */
class DemoDashboard implements AutoCloseable {
  static final DemoDashboard NONE = new DemoDashboard(null);

  private final @Nullable Dashboard dashboard;

  private DemoDashboard(@Nullable Dashboard dashboard) {
    this.dashboard = dashboard;
  }

  static DemoDashboard open(DemoOptions options, Shop shop, PrintStream out) {
    if (options.headless()) {
      return NONE;
    }
    Dashboard d =
        Dashboard.builder(shop.runtime())
            .statsFedByCaller()
            .sagas("orders", "/sagas")
            .topics(topics(shop))
            .build()
            .start();
    out.println("dashboard: " + d.url() + " (live while the demo runs)");
    return new DemoDashboard(d);
  }

  /**
   * The shop's topics with their consumer lag: the orders topic as read by shipping (shown before
   * its first commit), plus every other group that has committed in the shop's event log.
   */
  static TopicLagSource topics(Shop shop) {
    return EventLogLag.of(
        shop.eventLog(), Map.of(SharedEventLog.ORDERS_TOPIC, List.of(ShippingService.GROUP)));
  }

  void offerStats(List<ServiceStats> stats) {
    if (dashboard != null) {
      dashboard.offerStats(stats);
    }
  }

  void attachChaos(@Nullable Chaos chaos) {
    if (dashboard != null) {
      dashboard.attachChaos(chaos);
    }
  }

  @Override
  public void close() {
    if (dashboard != null) {
      dashboard.close();
    }
  }
}
