package io.bulwark.runtime.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.gateway.GatewayStats;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The gateway panel: per gateway its routes with RED figures (totals and the rate since the
 * previous tick), its clusters with upstream attempts, failures and endpoint health (ejections),
 * refusals, and its reload history; a reload not seen before goes on the timeline. Read from each
 * gateway's {@link GatewayStats} once per tick, on the tick's thread.
 */
final class GatewayPanel {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final Map<String, Supplier<GatewayStats>> gateways;
  private final Map<String, Long> previousRequests = new HashMap<>();
  private final Map<String, Long> seenVersion = new HashMap<>();

  GatewayPanel(Map<String, Supplier<GatewayStats>> gateways) {
    this.gateways = new LinkedHashMap<>(gateways);
  }

  ObjectNode json(long intervalNanos, Timeline timeline) {
    ObjectNode out = JSON.objectNode();
    out.put("available", !gateways.isEmpty());
    ArrayNode list = out.putArray("list");
    if (gateways.isEmpty()) {
      out.put("reason", "not in this system");
      return out;
    }
    double seconds = intervalNanos / 1e9;
    gateways.forEach(
        (name, source) -> {
          ObjectNode g = list.addObject();
          g.put("name", name);
          GatewayStats s;
          try {
            s = source.get();
          } catch (RuntimeException e) {
            g.put("error", "the gateway's stats failed: " + e);
            return;
          }
          g.put("configVersion", s.configVersion());
          ArrayNode routes = g.putArray("routes");
          long refused = 0;
          for (GatewayStats.Route r : s.routes()) {
            ObjectNode n = routes.addObject();
            n.put("name", r.name());
            n.put("target", r.target());
            n.put("match", r.match());
            n.put("requests", r.requests());
            n.put("errors", r.errors());
            n.put("timeouts", r.timeouts());
            n.put("refused", r.refused());
            n.put(
                "errorRatio",
                r.requests() == 0 ? 0 : (double) (r.errors() + r.timeouts()) / r.requests());
            n.put("meanMillis", r.meanLatencyMillis());
            Long before = previousRequests.put(name + "\u0000" + r.name(), r.requests());
            n.put(
                "rps",
                before == null || seconds <= 0 ? 0 : Math.max(0, r.requests() - before) / seconds);
            refused += r.refused();
          }
          g.put("refused", refused);
          ArrayNode clusters = g.putArray("clusters");
          for (GatewayStats.Cluster c : s.clusters()) {
            ObjectNode n = clusters.addObject();
            n.put("name", c.name());
            n.put("attempts", c.attempts());
            n.put("failures", c.failures());
            n.put("ejected", c.ejected());
            ArrayNode eps = n.putArray("endpoints");
            for (GatewayStats.Endpoint e : c.endpoints()) {
              ObjectNode en = eps.addObject();
              en.put("id", e.id());
              en.put("address", e.address());
              en.put("status", e.status());
              en.put("inFlight", e.inFlight());
            }
          }
          ArrayNode reloads = g.putArray("reloads");
          long seen = seenVersion.getOrDefault(name, 1L);
          for (GatewayStats.Reload r : s.reloads()) {
            ObjectNode n = reloads.addObject();
            n.put("version", r.version());
            n.put("atMillis", r.atMillis());
            n.put("changes", r.changes().isEmpty() ? "no change" : String.join("; ", r.changes()));
            if (r.version() > seen) {
              timeline.add(
                  "gateway",
                  name,
                  "config v"
                      + r.version()
                      + " in force: "
                      + (r.changes().isEmpty() ? "no change" : String.join("; ", r.changes())));
            }
          }
          seenVersion.put(name, Math.max(seen, s.configVersion()));
        });
    return out;
  }
}
