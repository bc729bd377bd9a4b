package io.bulwark.examples.shop.demo;

import io.bulwark.chaos.Chaos;
import io.bulwark.examples.shop.Shop;
import io.bulwark.examples.shop.common.SharedEventLog;
import io.bulwark.examples.shop.edge.EdgeService;
import io.bulwark.examples.shop.gameday.GameDayListener;
import io.bulwark.examples.shop.gameday.StepEvent;
import io.bulwark.examples.shop.shipping.ShippingService;
import io.bulwark.runtime.ServiceStats;
import io.bulwark.runtime.dashboard.Dashboard;
import io.bulwark.runtime.dashboard.EventLogLag;
import io.bulwark.runtime.dashboard.TopicLagSource;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The runtime's live dashboard during an interactive demo run: on loopback, its URL printed at
 * start, up while the shop runs; fed the stats the live view takes, the game day's chaos faults,
 * the orders service's saga runs and the edge gateway's stats; each game-day step goes on its
 * timeline (the runtime's own events — rollouts, rollbacks, kills, partitions, scaling — get there
 * through the runtime's listener). A headless run gets {@link #NONE} (its output is unchanged).
 */
class DemoDashboard implements AutoCloseable, GameDayListener {
  static final DemoDashboard NONE = new DemoDashboard(null);

  private final @Nullable Dashboard dashboard;

  private DemoDashboard(@Nullable Dashboard dashboard) {
    this.dashboard = dashboard;
  }

  static DemoDashboard open(DemoOptions options, Shop shop, PrintStream out) {
    if (options.headless()) {
      return NONE;
    }
    Dashboard d = builder(shop).build().start();
    out.println("dashboard: " + d.url() + " (live while the demo runs)");
    return new DemoDashboard(d);
  }

  /** Wraps a dashboard built elsewhere (tests build theirs on virtual time). */
  static DemoDashboard of(Dashboard dashboard) {
    return new DemoDashboard(dashboard);
  }

  /**
   * The demo's dashboard of {@code shop}, not built yet: stats fed by the live view, the orders
   * service's saga runs, the event topics with their lag and the edge's gateway panel.
   */
  static Dashboard.Builder builder(Shop shop) {
    Path gatewayStorage = shop.runtime().instance(GATEWAY).storage();
    return Dashboard.builder(shop.runtime())
        .statsFedByCaller()
        .sagas("orders", "/sagas")
        .topics(topics(shop))
        .gateway("edge", () -> EdgeService.stats(gatewayStorage));
  }

  /** The gateway instance whose panel the dashboard shows. */
  static final String GATEWAY = "gateway-1";

  /** Each game-day step goes on the timeline with its title as it starts ({@code game-day}). */
  @Override
  public void onStepStarting(StepEvent event) {
    note(subject(event), event.step().title());
  }

  /** A step's outcome (a rollout's verdict) or failure goes on the timeline when it ends. */
  @Override
  public void onStepDone(StepEvent event) {
    String error = event.error();
    String outcome = event.outcome();
    if (error != null) {
      note(subject(event) + " failed", error);
    } else if (outcome != null) {
      note(subject(event) + " outcome", outcome);
    }
  }

  /** {@code step at 6%}: where the step is due in the run. */
  static String subject(StepEvent event) {
    return String.format(Locale.ROOT, "step at %.0f%%", 100 * event.step().fraction());
  }

  private void note(String subject, String detail) {
    if (dashboard != null) {
      dashboard.note(TIMELINE_KIND, subject, detail);
    }
  }

  /** The timeline kind of the game day's entries. */
  static final String TIMELINE_KIND = "game-day";

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
