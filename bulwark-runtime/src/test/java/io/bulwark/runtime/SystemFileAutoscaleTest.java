package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EventLog;
import io.bulwark.events.EventLogs;
import io.bulwark.runtime.autoscale.AutoscaleSpec;
import io.bulwark.runtime.autoscale.KnativeConcurrency;
import io.bulwark.runtime.autoscale.LagScaling;
import io.bulwark.runtime.autoscale.Metric;
import io.bulwark.runtime.autoscale.Predictive;
import io.bulwark.runtime.autoscale.ScalingDecision;
import io.bulwark.runtime.autoscale.TargetTracking;
import io.bulwark.runtime.dashboard.Dashboard;
import io.bulwark.telemetry.slo.BurnRateAlert;
import io.bulwark.telemetry.slo.Sli;
import io.bulwark.telemetry.slo.Slo;
import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.kit.TimeDriver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code autoscale:} in a system file: every policy and its parameters bound, every bad value named
 * with file:line, and a running system scaled by the autoscaler the runtime starts from it, under
 * virtual time.
 */
class SystemFileAutoscaleTest {
  @TempDir Path dir;
  private static final String F = NodeFactory.class.getName();

  private List<String> problems(String yaml) throws Exception {
    return SystemFiles.problems(dir, yaml);
  }

  @Test
  void everyPolicyIsBoundWithItsParameters() {
    SystemModel m =
        SystemFile.parse(
            """
            system: s
            services:
              web:
                factory: %1$s
                autoscale:
                  policy: target-tracking
                  metric: concurrency
                  target: 70
                  tolerance: 0.2
                  scale-down-stabilisation: 2m
                  min: 2
                  max: 6
                  sample-every: 2s
                  decide-every: 10s
                  window: 20s
              api:
                factory: %1$s
                autoscale: {policy: knative, target: 10, panic-window: 4s, max: 30}
              worker:
                factory: %1$s
                autoscale:
                  policy: event-lag
                  topic: orders
                  group: shipping
                  lag-per-instance: 100
                  cooldown: 1m
                  max: 8
              shop:
                factory: %1$s
                autoscale: {policy: predictive, target: 50, season: 1h, lead: 2m, max: 12}
              plain:
                factory: %1$s
            """
                .formatted(F),
            "sys.yaml",
            dir);
    AutoscaleSpec web = m.service("web").autoscale().orElseThrow();
    TargetTracking tt = (TargetTracking) web.policy();
    assertThat(tt.metric()).isEqualTo(Metric.CONCURRENCY);
    assertThat(tt.targetPerInstance()).isEqualTo(70);
    assertThat(tt.tolerance()).isEqualTo(0.2);
    assertThat(tt.scaleDownStabilisation()).isEqualTo(Duration.ofMinutes(2));
    assertThat(tt.minInstances()).isEqualTo(2);
    assertThat(tt.maxInstances()).isEqualTo(6);
    assertThat(List.of(web.sampleEvery(), web.decideEvery(), web.window()))
        .containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(20));

    KnativeConcurrency kpa =
        (KnativeConcurrency) m.service("api").autoscale().orElseThrow().policy();
    assertThat(kpa.targetPerInstance()).isEqualTo(10);
    assertThat(kpa.panicWindow()).isEqualTo(Duration.ofSeconds(4));

    AutoscaleSpec worker = m.service("worker").autoscale().orElseThrow();
    LagScaling lag = (LagScaling) worker.policy();
    assertThat(lag.lagPerInstance()).isEqualTo(100);
    assertThat(lag.cooldown()).isEqualTo(Duration.ofMinutes(1));
    assertThat(worker.topic()).contains("orders");
    assertThat(worker.group()).contains("shipping");

    Predictive<?> p = (Predictive<?>) m.service("shop").autoscale().orElseThrow().policy();
    assertThat(p.season()).isEqualTo(Duration.ofHours(1));
    assertThat(p.lead()).isEqualTo(Duration.ofMinutes(2));
    assertThat(((TargetTracking) p.base()).maxInstances()).isEqualTo(12);
    assertThat(((TargetTracking) p.base()).targetPerInstance()).isEqualTo(50);

    assertThat(m.service("plain").autoscale()).isEmpty();
    assertThat(m.service("web").toBuilder().build().autoscale()).contains(web);
  }

  @Test
  void everyBadValueIsNamedWithItsLine() throws Exception {
    List<String> p =
        problems(
            """
            system: s
            services:
              a:
                factory: %1$s
                autoscale:
                  policy: hpa
              b:
                factory: %1$s
                autoscale:
                  policy: target-tracking
                  target: -5
                  panic-window: 3s
              c:
                factory: %1$s
                autoscale:
                  policy: target-tracking
                  target: 10
                  min: 5
                  max: 2
              d:
                factory: %1$s
                autoscale:
                  policy: event-lag
                  lag-per-instance: 10
              e:
                factory: %1$s
                autoscale:
                  policy: knative
                  target: 3
                  sample-every: 20s
                  decide-every: 5s
              f:
                factory: %1$s
                autoscale: {target: 3}
            """
                .formatted(F));
    String joined = String.join("\n", p);
    assertThat(p)
        .anySatisfy(
            s ->
                assertThat(s)
                    .startsWith(dir.resolve("sys.yaml") + ":6: services.a.autoscale.policy:")
                    .contains("hpa"))
        .anySatisfy(
            s ->
                assertThat(s)
                    .startsWith(dir.resolve("sys.yaml") + ":11: services.b.autoscale.target:")
                    .contains("-5"))
        .anySatisfy(
            s ->
                assertThat(s)
                    .startsWith(
                        dir.resolve("sys.yaml") + ":12: services.b.autoscale.panic-window:"))
        .anySatisfy(s -> assertThat(s).contains("services.c.autoscale").contains("5").contains("2"))
        .anySatisfy(s -> assertThat(s).contains("services.d.autoscale").contains("topic"))
        .anySatisfy(
            s ->
                assertThat(s)
                    .contains("services.e.autoscale")
                    .contains("decide-every (PT5S) must be >= sample-every (PT20S)"))
        .anySatisfy(s -> assertThat(s).contains("services.f.autoscale").contains("policy"));
    assertThat(joined).doesNotContain("services.plain");
  }

  @Test
  void aLagAutoscaledServiceNeedsTheRuntimesEventLog() {
    SystemModel m =
        SystemFile.parse(
            """
            system: s
            services:
              worker:
                factory: %s
                autoscale: {policy: event-lag, topic: orders, group: shipping, lag-per-instance: 5}
            """
                .formatted(F),
            "sys.yaml",
            dir);
    assertThatThrownBy(() -> SystemRuntime.inProcess(m, RuntimeOptions.builder(dir).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "service worker autoscales on the consumer lag of group shipping on topic orders, but"
                + " the runtime has no event log (RuntimeOptions.eventLog)");
    try (EventLog log = EventLogs.embedded(EmbeddedLogConfig.builder(dir.resolve("log")).build())) {
      SystemRuntime.inProcess(m, RuntimeOptions.builder(dir).eventLog(log).build()).close();
    }
  }

  /** A system file of one service, {@code web}, with the given keys beside its factory. */
  private SystemModel webService(String webKeys) {
    String yaml = "system: s\nservices:\n  web:\n    factory: " + F + "\n" + webKeys.indent(4);
    return SystemFile.parse(yaml, "sys.yaml", dir);
  }

  @Test
  void theRuntimeScalesAServiceFromItsFileUnderVirtualTime() throws Exception {
    SystemModel m =
        webService(
            """
            autoscale:
              policy: target-tracking
              target: 2             # requests per second per instance
              max: 3
              scale-down-stabilisation: 0s
              sample-every: 5s
              decide-every: 10s
              window: 10s
            """);
    VirtualScheduler scheduler = new VirtualScheduler();
    List<ScalingDecision> decisions = new CopyOnWriteArrayList<>();
    CountDownLatch scaledOut = new CountDownLatch(1);
    CountDownLatch scaledIn = new CountDownLatch(1);
    try (SystemRuntime runtime =
            SystemRuntime.inProcess(
                m,
                RuntimeOptions.builder(dir)
                    .scheduler(scheduler)
                    .systemPort(-1)
                    .drainBudget(Duration.ofMillis(300))
                    .build());
        HttpClient http = HttpClient.newHttpClient()) {
      runtime.addListener(
          new RuntimeListener() {
            @Override
            public void onDecision(ScalingDecision d) {
              decisions.add(d);
            }

            @Override
            public void onEvent(RuntimeEvent e) {
              if (e.kind() == RuntimeEvent.Kind.SCALED) {
                (e.detail().contains("-> 3") || e.detail().contains("to 3") ? scaledOut : scaledIn)
                    .countDown();
              }
            }
          });
      runtime.start();
      assertThat(runtime.autoscalers()).hasSize(1);
      scheduler.advance(Duration.ofSeconds(1)); // the store's first point: nothing served yet
      int port = runtime.instances("web").get(0).port();
      for (int i = 0; i < 60; i++) {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
      }
      scheduler.advance(Duration.ofSeconds(9)); // t = 10 s: 60 requests in 10 s = 6/s
      assertThat(scaledOut.await(60, TimeUnit.SECONDS)).as("scaled out: %s", decisions).isTrue();
      ScalingDecision out = decisions.get(0);
      assertThat(out.service()).isEqualTo("web");
      assertThat(out.policy()).isEqualTo("target-tracking");
      assertThat(out.from() + "->" + out.to()).isEqualTo("1->3"); // 6/s at 2 per instance, max 3
      assertThat(runtime.instances("web")).hasSize(3);
      // the SCALED event comes just before the autoscaler's own scale ends: a decision taken in
      // between is held, so the clock moves on only once the autoscaler is free again
      assertThat(
              TimeDriver.real(io.bulwark.core.time.Scheduler.system())
                  .passUntil(
                      Duration.ofSeconds(10), () -> !runtime.autoscalers().getFirst().scaling()))
          .as("the scale-out ended")
          .isTrue();

      scheduler.advance(Duration.ofSeconds(10)); // t = 20 s: no traffic in the window
      assertThat(scaledIn.await(60, TimeUnit.SECONDS)).as("scaled in: %s", decisions).isTrue();
      assertThat(decisions.get(1).from() + "->" + decisions.get(1).to()).isEqualTo("3->1");
      assertThat(runtime.instances("web")).hasSize(1);
    }
  }

  @Test
  void decisionsAndSloStatusReachTheSystemMetricsAndTheDashboard() throws Exception {
    SystemModel m =
        webService(
            """
            version: bad-1        # 3 of every 10 answers are 500
            autoscale:
              policy: target-tracking
              target: 2
              max: 3
              sample-every: 5s
              decide-every: 10s
              window: 10s
            """);
    Slo slo =
        Slo.builder("web-availability")
            .sli(Sli.endpointAvailability("GET /hello"))
            .objective(0.9)
            .window(Duration.ofHours(1))
            .alerts(
                List.of(
                    new BurnRateAlert(
                        BurnRateAlert.Severity.PAGE,
                        2,
                        Duration.ofHours(1),
                        Duration.ofMinutes(5))))
            .build();
    VirtualScheduler scheduler = new VirtualScheduler();
    CountDownLatch scaledOut = new CountDownLatch(1);
    try (SystemRuntime runtime =
            SystemRuntime.inProcess(
                m,
                RuntimeOptions.builder(dir)
                    .scheduler(scheduler)
                    .systemPort(0)
                    .drainBudget(Duration.ofMillis(300))
                    .slos(List.of(slo))
                    .build());
        HttpClient http = HttpClient.newHttpClient()) {
      runtime.addListener(
          new RuntimeListener() {
            @Override
            public void onEvent(RuntimeEvent e) {
              if (e.kind() == RuntimeEvent.Kind.SCALED) {
                scaledOut.countDown();
              }
            }
          });
      Dashboard dashboard =
          Dashboard.builder(runtime)
              .scheduler(new VirtualScheduler())
              .slos(runtime.slos().orElseThrow())
              .build()
              .start();
      try (dashboard) {
        runtime.start();
        int port = runtime.instances("web").get(0).port();
        int failed = 0;
        for (int i = 0; i < 60; i++) {
          if (i == 10) {
            scheduler.advance(Duration.ofSeconds(1)); // the store's first point: 10 served, 3 bad
          }
          failed += get(http, port, "/hello").statusCode() == 500 ? 1 : 0;
        }
        assertThat(failed).isEqualTo(18);
        String before = get(http, runtime.systemPort(), "/metrics").body();
        assertThat(before)
            .contains(
                "bulwark_autoscaler_desired_instances{policy=\"target-tracking\",service=\"web\"} 1")
            .contains(
                "bulwark_autoscaler_actual_instances{policy=\"target-tracking\",service=\"web\"} 1");
        scheduler.advance(Duration.ofSeconds(9)); // t = 10 s: decides 1 -> 3
        assertThat(scaledOut.await(60, TimeUnit.SECONDS)).isTrue();
        scheduler.advance(Duration.ofSeconds(1)); // t = 11 s: a metrics step after the scale
        String text = get(http, runtime.systemPort(), "/metrics").body();
        assertThat(text)
            .contains("# TYPE bulwark_autoscaler_desired_instances gauge")
            .contains(
                "bulwark_autoscaler_desired_instances{policy=\"target-tracking\",service=\"web\"} 3")
            .contains(
                "bulwark_autoscaler_actual_instances{policy=\"target-tracking\",service=\"web\"} 3")
            .contains("# TYPE bulwark_slo_error_budget_remaining gauge");
        // 30 % bad against a 10 % budget: burn rate 3 in both windows, budget 1 - 3 = -2 left
        assertThat(value(text, "bulwark_slo_error_budget_remaining{slo=\"web-availability\"}"))
            .isCloseTo(-2.0, within(1e-6));
        assertThat(value(text, "bulwark_slo_burn_rate{slo=\"web-availability\",window=\"1h\"}"))
            .isCloseTo(3.0, within(1e-6));
        assertThat(value(text, "bulwark_slo_burn_rate{slo=\"web-availability\",window=\"5m\"}"))
            .isCloseTo(3.0, within(1e-6));
        assertThat(runtime.slos().orElseThrow().isFiring("web-availability", "page-1h-5m"))
            .isTrue();

        dashboard.tick();
        String autoscaler = get(http, dashboard.port(), "/api/autoscaler").body();
        assertThat(autoscaler)
            .contains("\"available\":true")
            .contains("\"service\":\"web\"")
            .contains("\"policy\":\"target-tracking\"")
            .contains("\"from\":1,\"to\":3");
        assertThat(get(http, dashboard.port(), "/api/slos").body())
            .contains("web-availability")
            .contains("page-1h-5m");
      }
    }
  }

  @Test
  void anSloLongerThanTheStoreCanKeepIsRefusedNamingIt() {
    SystemModel m =
        SystemFile.parse(
            "system: s\nservices:\n  web: {factory: %s}\n".formatted(F), "sys.yaml", dir);
    Slo monthly =
        Slo.builder("monthly").sli(Sli.endpointAvailability("GET /hello")).objective(0.99).build();
    assertThatThrownBy(
            () ->
                SystemRuntime.inProcess(
                    m, RuntimeOptions.builder(dir).slos(List.of(monthly)).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SLO \"monthly\": window PT720H needs 2592000 metrics steps of PT1S")
        .hasMessageContaining("raise RuntimeOptions.metricsStep");
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static double value(String prometheus, String series) {
    Matcher v = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(prometheus);
    assertThat(v.find()).as("%s in %s", series, prometheus).isTrue();
    return Double.parseDouble(v.group(1));
  }
}
