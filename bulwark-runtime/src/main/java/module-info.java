/**
 * The Bulwark runtime: runs a system of services (a {@link io.bulwark.runtime.SystemModel}) with
 * its lifecycle — start in dependency order with readiness gating, stop in reverse, and per
 * instance stop, kill, restart and deploy.
 *
 * <p>HdrHistogram (the per-service latency histograms) ships no module descriptor: it is the one
 * automatic module required, named after its jar.
 */
@SuppressWarnings("requires-automatic")
module io.bulwark.runtime {
  requires transitive io.bulwark.core;
  requires transitive io.bulwark.resilience;
  requires transitive io.bulwark.telemetry;
  requires transitive io.bulwark.http;
  requires transitive io.bulwark.security;
  requires transitive io.bulwark.chaos;
  requires transitive io.bulwark.gateway; // the dashboard's gateway panel reads GatewayStats
  requires io.vertx.core;
  requires java.net.http;
  requires org.slf4j;
  requires HdrHistogram;
  requires com.fasterxml.jackson.databind;

  exports io.bulwark.runtime;
  exports io.bulwark.runtime.autoscale;
  exports io.bulwark.runtime.autoscale.sim;
  exports io.bulwark.runtime.dashboard;
}
