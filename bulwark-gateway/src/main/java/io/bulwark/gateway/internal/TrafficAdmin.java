package io.bulwark.gateway.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admin API's {@code GET /traffic}: per route, the requests each split sent to each cluster and
 * the shadow's comparison counts with its newest differences.
 */
final class TrafficAdmin {
  private TrafficAdmin() {}

  static Map<String, Object> view(Snapshot s) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Snapshot.Route r : s.routes) {
      RouteTraffic t = r.traffic();
      if (t == null) {
        continue;
      }
      Map<String, Object> m = new LinkedHashMap<>();
      Splitter split = t.split();
      if (split != null) {
        m.put("split", split.counts());
      }
      ShadowRuntime shadow = t.shadow();
      if (shadow != null) {
        Map<String, Object> sh = new LinkedHashMap<>();
        sh.put("cluster", shadow.config.cluster());
        sh.put("counts", shadow.counts());
        List<Map<String, Object>> samples = new ArrayList<>();
        for (ShadowRuntime.Sample x : shadow.samples()) {
          Map<String, Object> e = new LinkedHashMap<>();
          e.put("at", x.at().toString());
          e.put("correlation-id", x.correlationId());
          e.put("request", x.method() + " " + x.uri());
          e.put("outcome", x.outcome());
          e.put("primary-status", x.primaryStatus());
          e.put("shadow-status", x.shadowStatus());
          e.put("detail", x.detail());
          samples.add(e);
        }
        sh.put("samples", samples);
        m.put("shadow", sh);
      }
      Aggregator a = t.aggregate();
      if (a != null) {
        m.put("aggregate", List.copyOf(a.config.parts().keySet()));
      }
      out.put(r.config().name(), m);
    }
    return out;
  }
}
