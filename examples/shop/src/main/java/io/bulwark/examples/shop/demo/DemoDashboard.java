package io.bulwark.examples.shop.demo;

import io.bulwark.chaos.Chaos;
import io.bulwark.runtime.ServiceStats;
import io.bulwark.runtime.SystemRuntime;
import io.bulwark.runtime.dashboard.Dashboard;
import java.io.PrintStream;
import java.util.List;
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

  static DemoDashboard open(DemoOptions options, SystemRuntime runtime, PrintStream out) {
    if (options.headless()) {
      return NONE;
    }
    Dashboard d =
        Dashboard.builder(runtime).statsFedByCaller().sagas("orders", "/sagas").build().start();
    out.println("dashboard: " + d.url() + " (live while the demo runs)");
    return new DemoDashboard(d);
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
