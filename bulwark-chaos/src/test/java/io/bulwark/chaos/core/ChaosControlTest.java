package io.bulwark.chaos.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.chaos.ActiveFault;
import io.bulwark.chaos.BlastRadius;
import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.chaos.Fault;
import io.bulwark.chaos.FaultSpec;
import io.bulwark.chaos.LatencyDistribution;
import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigLoader;
import io.bulwark.core.context.Context;
import io.bulwark.core.fault.FaultAction;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.fault.FaultSite;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The controller: enablement, expiry in virtual time, clearing, radius, percentage and cohort. */
class ChaosControlTest {
  private static final FaultSite ORDERS =
      new FaultSite(FaultPointKind.HTTP_SERVER, "orders", "orders-1", "/orders/{id}");

  private final VirtualScheduler scheduler = new VirtualScheduler();
  private final List<String> timeline = new CopyOnWriteArrayList<>();
  private final Chaos chaos =
      Chaos.builder()
          .config(ChaosConfig.enabledDefaults())
          .scheduler(scheduler)
          .listener(
              new Chaos.Listener() {
                @Override
                public void started(ActiveFault fault) {
                  timeline.add("started " + fault.id());
                }

                @Override
                public void ended(ActiveFault fault, Chaos.EndReason reason) {
                  timeline.add(reason + " " + fault.id());
                }
              })
          .build();

  @AfterEach
  void clear() {
    chaos.close();
  }

  @Test
  void disabledByDefaultRefusesToStartAndInstallsNothing() {
    Chaos off = Chaos.builder().scheduler(scheduler).build();
    assertThatThrownBy(
            () ->
                off.start(
                    new Fault.HttpError(503), BlastRadius.everything(), Duration.ofMinutes(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("chaos is disabled");
    assertThat(FaultPoints.injector()).isNull();
    assertThat(off.active()).isEmpty();
  }

  @Test
  void faultExpiresExactlyAtItsDurationInVirtualTimeAndUninstallsTheHook() {
    ActiveFault f =
        chaos.start(new Fault.HttpError(503), BlastRadius.everything(), Duration.ofSeconds(10));
    assertThat(FaultPoints.injector()).isNotNull();
    assertThat(f.expiresAt()).isEqualTo(f.startedAt().plus(Duration.ofSeconds(10)));

    scheduler.advance(Duration.ofMillis(9_999));
    assertThat(chaos.active()).extracting(ActiveFault::id).containsExactly(f.id());
    assertThat(FaultPoints.decide(ORDERS)).isInstanceOf(FaultAction.Status.class);

    scheduler.advance(Duration.ofMillis(1));
    assertThat(chaos.active()).isEmpty();
    assertThat(FaultPoints.injector()).isNull();
    assertThat(FaultPoints.decide(ORDERS)).isNull();
    assertThat(timeline).containsExactly("started " + f.id(), "EXPIRED " + f.id());
  }

  @Test
  void durationAboveTheMaximumIsRefusedNamingBoth() {
    assertThatThrownBy(
            () ->
                chaos.start(
                    new Fault.HttpError(500), BlastRadius.everything(), Duration.ofHours(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT2H")
        .hasMessageContaining("PT1H");
    assertThat(chaos.active()).isEmpty();
    assertThat(FaultPoints.injector()).isNull();
  }

  @Test
  void clearOneThenClearAllEndsEveryFaultAndTheirTimersDoNothingLater() {
    ActiveFault a =
        chaos.start(
            Fault.Latency.of(Duration.ofMillis(5)),
            BlastRadius.everything(),
            Duration.ofMinutes(1));
    ActiveFault b =
        chaos.start(new Fault.HttpError(502), BlastRadius.everything(), Duration.ofMinutes(2));
    ActiveFault c =
        chaos.start(new Fault.Blackhole(), BlastRadius.everything(), Duration.ofMinutes(3));
    assertThat(chaos.active()).extracting(ActiveFault::id).containsExactly(a.id(), b.id(), c.id());

    assertThat(chaos.clear(b.id())).isTrue();
    assertThat(chaos.clear(b.id())).isFalse();
    assertThat(chaos.clear("fault-999")).isFalse();
    assertThat(chaos.active()).extracting(ActiveFault::id).containsExactly(a.id(), c.id());

    assertThat(chaos.clearAll()).isEqualTo(2);
    assertThat(chaos.active()).isEmpty();
    assertThat(FaultPoints.injector()).isNull();
    scheduler.advance(Duration.ofMinutes(5));
    assertThat(timeline)
        .containsExactly(
            "started " + a.id(),
            "started " + b.id(),
            "started " + c.id(),
            "CLEARED " + b.id(),
            "CLEARED " + a.id(),
            "CLEARED " + c.id());
  }

  @Test
  void firstFaultInStartOrderWinsAndTheSecondActsOnceTheFirstIsCleared() {
    ActiveFault first =
        chaos.start(new Fault.HttpError(503), BlastRadius.everything(), Duration.ofMinutes(1));
    chaos.start(new Fault.HttpError(504), BlastRadius.everything(), Duration.ofMinutes(1));
    assertThat(((FaultAction.Status) FaultPoints.decide(ORDERS)).status()).isEqualTo(503);
    chaos.clear(first.id());
    assertThat(((FaultAction.Status) FaultPoints.decide(ORDERS)).status()).isEqualTo(504);
  }

  @Test
  void maximumActiveFaultsIsEnforced() {
    Chaos small =
        Chaos.builder()
            .config(ChaosConfig.builder().enabled(true).maxActiveFaults(2).build())
            .scheduler(scheduler)
            .build();
    try {
      small.start(new Fault.Blackhole(), BlastRadius.everything(), Duration.ofMinutes(1));
      small.start(new Fault.Blackhole(), BlastRadius.everything(), Duration.ofMinutes(1));
      assertThatThrownBy(
              () ->
                  small.start(
                      new Fault.Blackhole(), BlastRadius.everything(), Duration.ofMinutes(1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("at most 2");
      // a second controller cannot install while this one has faults active
      assertThatThrownBy(
              () ->
                  chaos.start(
                      new Fault.Blackhole(), BlastRadius.everything(), Duration.ofMinutes(1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("another Chaos controller");
    } finally {
      small.close();
    }
  }

  @Test
  void siteOutsideTheRadiusIsNeverFaulted() {
    chaos.start(
        new Fault.HttpError(503),
        BlastRadius.builder()
            .points(FaultPointKind.HTTP_SERVER)
            .service("orders")
            .instance("orders-1")
            .route("/orders/*")
            .build(),
        Duration.ofMinutes(1));
    assertThat(FaultPoints.decide(ORDERS)).isNotNull();
    List<FaultSite> outside =
        List.of(
            new FaultSite(FaultPointKind.HTTP_CLIENT, "orders", "orders-1", "/orders/{id}"),
            new FaultSite(FaultPointKind.HTTP_SERVER, "payments", "orders-1", "/orders/{id}"),
            new FaultSite(FaultPointKind.HTTP_SERVER, "orders", "orders-2", "/orders/{id}"),
            new FaultSite(FaultPointKind.HTTP_SERVER, "orders", "orders-1", "/order"),
            new FaultSite(FaultPointKind.USER, "orders", "orders-1", "/orders/x"));
    for (FaultSite site : outside) {
      for (int i = 0; i < 500; i++) {
        assertThat(FaultPoints.decide(site)).as(site.toString()).isNull();
      }
    }
  }

  @Test
  void percentageIsWithinTheBinomialBoundAndTheSameSeedSelectsTheSameRequests() throws Exception {
    List<Integer> first = selected(42, 30);
    List<Integer> again = selected(42, 30);
    List<Integer> otherSeed = selected(7, 30);
    // n=2000, p=0.3: mean 600, sd 20.5; 5 sd either side
    assertThat(first.size()).isBetween(498, 702);
    assertThat(again).isEqualTo(first);
    assertThat(otherSeed).isNotEqualTo(first);
    assertThat(otherSeed.size()).isBetween(498, 702);
    assertThat(selected(42, 0)).isEmpty();
    assertThat(selected(42, 100)).hasSize(2000);
  }

  /**
   * Which of 2,000 requests (correlation ids req-0..req-1999) a 'percent' fault with 'seed' hits.
   */
  private List<Integer> selected(long seed, double percent) throws Exception {
    ActiveFault f =
        chaos.start(
            new FaultSpec(
                new Fault.HttpError(503),
                BlastRadius.builder().percent(percent).build(),
                Duration.ofMinutes(1),
                "",
                seed));
    List<Integer> hit = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      Context ctx = Context.root().withCorrelationId("req-" + i);
      if (ctx.call(() -> FaultPoints.decide(ORDERS)) != null) {
        hit.add(i);
      }
    }
    assertThat(chaos.injections(f.id())).isEqualTo(hit.size());
    chaos.clear(f.id());
    return hit;
  }

  @Test
  void cohortFaultTouchesOnlyRequestsCarryingTheExperimentBaggage() throws Exception {
    chaos.start(
        FaultSpec.of(
                new Fault.HttpError(503),
                BlastRadius.builder().cohort("exp-1").build(),
                Duration.ofMinutes(1))
            .inExperiment("exp-1"));
    int inCohort = 0;
    int control = 0;
    for (int i = 0; i < 2000; i++) {
      Context base = Context.root().withCorrelationId("req-" + i);
      Context ctx =
          switch (i % 4) {
            case 0 -> base.withBaggage("chaos.experiment", "exp-1");
            case 1 -> base.withBaggage("chaos.experiment", "exp-2");
            case 2 -> base.withBaggage("tenant", "exp-1");
            default -> base;
          };
      FaultAction a = ctx.call(() -> FaultPoints.decide(ORDERS));
      if (i % 4 == 0) {
        assertThat(a).isNotNull();
        assertThat(a.tag().experiment()).isEqualTo("exp-1");
        inCohort++;
      } else if (a != null) {
        control++;
      }
    }
    assertThat(inCohort).isEqualTo(500);
    assertThat(control).isZero();
  }

  @Test
  void latencyFromADistributionIsSeededPerRequestAndWithinItsBounds() throws Exception {
    List<Long> first = delays(11);
    assertThat(delays(11)).isEqualTo(first);
    assertThat(first).allSatisfy(n -> assertThat(n).isBetween(10_000_000L, 50_000_000L));
    assertThat(first.stream().distinct().count()).isGreaterThan(150);
  }

  private List<Long> delays(long seed) throws Exception {
    ActiveFault f =
        chaos.start(
            new FaultSpec(
                new Fault.Latency(
                    LatencyDistribution.uniform(Duration.ofMillis(10), Duration.ofMillis(50))),
                BlastRadius.everything(),
                Duration.ofMinutes(1),
                "",
                seed));
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Context ctx = Context.root().withCorrelationId("r" + i);
      out.add(((FaultAction.Delay) ctx.call(() -> FaultPoints.decide(ORDERS))).nanos());
    }
    chaos.clear(f.id());
    return out;
  }

  @Test
  void faultTypeAtAPointItCannotActAtIsRefusedNamingBoth() {
    assertThatThrownBy(
            () ->
                FaultSpec.of(
                    new Fault.SlowBody(10),
                    BlastRadius.builder().points(FaultPointKind.HTTP_CLIENT).build(),
                    Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("slow-body")
        .hasMessageContaining("http-client");
    assertThatThrownBy(() -> new Fault.HttpError(200)).hasMessageContaining("200");
    assertThatThrownBy(() -> BlastRadius.builder().percent(100.5)).hasMessageContaining("100.5");
    assertThatThrownBy(() -> Fault.Raise.of("java.lang.String", "x"))
        .hasMessageContaining("java.lang.String is not a RuntimeException");
    assertThatThrownBy(() -> Fault.Raise.of("no.such.Type", "x"))
        .hasMessageContaining("no.such.Type not found");
  }

  @Test
  void configBindsFromYamlAndReportsBadValuesWithFileAndLine() {
    ChaosConfig c =
        ConfigLoader.withEnv(Map.of())
            .parse(
                "enabled: true\nmax-duration: 30m\nmax-active-faults: 5\nadmin-token: 0123456789abcdef\n",
                "chaos.yaml",
                ChaosConfig::bind);
    assertThat(c.enabled()).isTrue();
    assertThat(c.maxDuration()).isEqualTo(Duration.ofMinutes(30));
    assertThat(c.maxActiveFaults()).isEqualTo(5);
    assertThat(c.adminToken()).isEqualTo("0123456789abcdef");
    assertThat(c.toString()).doesNotContain("0123456789abcdef");

    assertThatThrownBy(
            () ->
                ConfigLoader.withEnv(Map.of())
                    .parse(
                        "enabled: true\nmax-duration: 48h\nmaxActiveFaults: 3\nadmin-token: short\n",
                        "chaos.yaml",
                        ChaosConfig::bind))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("chaos.yaml:2")
        .hasMessageContaining("PT48H")
        .hasMessageContaining("chaos.yaml:3")
        .hasMessageContaining("max-active-faults")
        .hasMessageContaining("chaos.yaml:4");
  }
}
