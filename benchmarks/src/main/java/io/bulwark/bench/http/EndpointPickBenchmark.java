package io.bulwark.bench.http;

import io.bulwark.core.time.Clock;
import io.bulwark.core.time.SystemScheduler;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.client.HttpClients;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.discovery.StaticDiscovery;
import io.bulwark.http.internal.ClientEngine;
import io.bulwark.http.lb.Balancing;
import io.bulwark.http.lb.EndpointState;
import io.bulwark.http.lb.LoadBalancer;
import io.bulwark.http.lb.LoadBalancers;
import io.bulwark.http.lb.SlowStart;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Endpoint selection of a client's first attempt, as {@code ServiceClient.send} does it: the usable
 * endpoints of the current discovery snapshot (health, ejection, endpoint breakers, zone
 * preference) then the balancer's pick. Eight endpoints (half of them in the local zone for the
 * {@code zone} client), all healthy. Run with {@code -prof gc}: the figure that matters is B/op.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main EndpointPick -prof gc
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class EndpointPickBenchmark {
  @Param({"peak-ewma", "round-robin", "ring-hash", "maglev", "zone"})
  public String balancer;

  private SystemScheduler scheduler;
  private HttpClients clients;
  private ClientEngine engine;
  private LoadBalancer lb;
  private final String key = "customer-4711";

  @Setup
  public void setUp() {
    scheduler = SystemScheduler.create();
    List<Endpoint> endpoints = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      endpoints.add(Endpoint.of("10.0.0." + (i + 1), 8080).withZone(i % 2 == 0 ? "a" : "b"));
    }
    StaticDiscovery discovery = StaticDiscovery.create().update("svc", endpoints);
    Balancing b =
        switch (balancer) {
          case "round-robin" -> Balancing.ROUND_ROBIN;
          case "ring-hash" -> Balancing.RING_HASH;
          case "maglev" -> Balancing.MAGLEV;
          default -> Balancing.PEAK_EWMA;
        };
    ClientConfig.Builder config = ClientConfig.builder("svc").balancing(b);
    if (balancer.equals("zone")) {
      config.zonePreference("a", 0.5);
    }
    clients = HttpClients.builder(discovery, scheduler).client("svc", config.build()).build();
    engine = (ClientEngine) clients.client("svc");
    lb = LoadBalancers.of(b, SlowStart.NONE, Clock.system());
  }

  @TearDown
  public void tearDown() {
    clients.close();
    scheduler.close();
  }

  /** The usable endpoints then the balancer's choice (with a hash key for the hashing ones). */
  @Benchmark
  public EndpointState pick() {
    return lb.pick(engine.usable(), key);
  }
}
