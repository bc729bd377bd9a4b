package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.http.Response;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.test.VirtualScheduler;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceOperationsTest {
  private static final Duration TTL = Duration.ofSeconds(3);
  @TempDir Path root;
  private final VirtualScheduler scheduler = new VirtualScheduler();
  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch handlerInterrupted = new CountDownLatch(1);
  private final CountDownLatch loopEndedGracefully = new CountDownLatch(1);
  private final CountDownLatch loopInterrupted = new CountDownLatch(1);
  private final List<String> versionsSeen = new CopyOnWriteArrayList<>();
  private final List<String> closes = new CopyOnWriteArrayList<>();
  private final List<Thread> loops = new CopyOnWriteArrayList<>();

  private SystemRuntime runtime() {
    return runtime(RuntimeOptions.builder(root).scheduler(scheduler).leaseTtl(TTL).build());
  }

  private SystemRuntime runtime(RuntimeOptions opts) {
    ServiceFactory factory =
        ctx -> {
          versionsSeen.add(ctx.version());
          if (ctx.version().equals("broken")) {
            throw new IllegalStateException("version broken cannot start");
          }
          Files.writeString(
              ctx.storage().resolve("starts"),
              ctx.version() + "\n",
              java.nio.file.StandardOpenOption.CREATE,
              java.nio.file.StandardOpenOption.APPEND);
          ctx.server()
              .get("/version", req -> Response.text(200, ctx.version()))
              .get("/block", req -> block());
          loops.add(ctx.background("loop", () -> loop(ctx)));
          return new ServiceInstance() {
            @Override
            public void close() {
              closes.add("close:" + ctx.version());
            }

            @Override
            public void kill() {
              closes.add("kill:" + ctx.version());
            }
          };
        };
    SystemModel model =
        SystemModel.builder("s").service(ServiceSpec.builder("inventory", factory).build()).build();
    return SystemRuntime.inProcess(model, opts);
  }

  private Response block() {
    entered.countDown();
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      handlerInterrupted.countDown();
    }
    return Response.text(200, "late");
  }

  private void loop(InstanceContext ctx) {
    while (!ctx.stopping()) {
      LockSupport.parkNanos(2_000_000);
      if (Thread.currentThread().isInterrupted()) {
        loopInterrupted.countDown();
        return;
      }
    }
    loopEndedGracefully.countDown();
  }

  @Test
  void killClosesThePortInterruptsWorkAndKeepsTheLeaseUntilItExpires() throws Exception {
    Probe.Recorder events = new Probe.Recorder();
    try (SystemRuntime runtime = runtime();
        HttpClient client = Probe.client()) {
      runtime.addListener(events);
      runtime.start();
      InstanceHandle inventory = runtime.instance("inventory-1");
      int port = inventory.port();
      scheduler.advance(TTL.multipliedBy(2)); // renewals keep a running instance registered
      assertThat(runtime.discovery().endpoints("inventory"))
          .extracting(Endpoint::port)
          .containsExactly(port);

      CompletableFuture<HttpResponse<String>> pending =
          client.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/block")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

      inventory.kill();

      assertThat(inventory.state()).isEqualTo(InstanceState.KILLED);
      assertThat(inventory.port()).isEqualTo(-1);
      assertThat(handlerInterrupted.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(loopInterrupted.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(loopEndedGracefully.getCount()).isEqualTo(1);
      assertThat(closes).containsExactly("kill:1.0.0");
      assertThat(events.only("killed")).containsExactly("killed:inventory-1");
      try {
        HttpResponse<String> late = pending.get(10, TimeUnit.SECONDS);
        assertThat(late.body()).as("a killed server never answers").isNotEqualTo("late");
      } catch (ExecutionException expected) {
        // the connection was closed without an answer
      }
      assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
          .as("port %d refuses connections after kill", port)
          .isInstanceOf(ConnectException.class);
      assertThat(runtime.readyEndpoints("inventory")).isEmpty();
      // not withdrawn: the entry stays until its lease runs out
      scheduler.advance(TTL.minusMillis(1));
      assertThat(runtime.discovery().endpoints("inventory")).hasSize(1);
      scheduler.advance(Duration.ofMillis(1));
      assertThat(runtime.discovery().endpoints("inventory")).isEmpty();

      inventory.restart();

      assertThat(inventory.state()).isEqualTo(InstanceState.READY);
      assertThat(Probe.get(client, inventory.port(), "/version").body()).isEqualTo("1.0.0");
      assertThat(runtime.discovery().endpoints("inventory"))
          .extracting(Endpoint::port)
          .containsExactly(inventory.port());
      assertThat(Files.readAllLines(inventory.storage().resolve("starts")))
          .containsExactly("1.0.0", "1.0.0");
    }
  }

  @Test
  void stopEndsBackgroundLoopsThroughStoppingAndWithdrawsTheLease() throws Exception {
    Probe.Recorder events = new Probe.Recorder();
    try (SystemRuntime runtime = runtime()) {
      runtime.addListener(events);
      runtime.start();
      InstanceHandle inventory = runtime.instance("inventory-1");
      int port = inventory.port();
      Thread loop = loops.get(0);
      assertThat(loop.getName()).isEqualTo("inventory-1-loop");
      assertThat(loop.isAlive()).isTrue();

      inventory.stop();

      assertThat(loopEndedGracefully.await(0, TimeUnit.SECONDS))
          .as("stop waits for loops")
          .isTrue();
      assertThat(loop.isAlive()).isFalse();
      assertThat(loopInterrupted.getCount()).isEqualTo(1);
      assertThat(closes).containsExactly("close:1.0.0");
      assertThat(runtime.discovery().endpoints("inventory")).isEmpty();
      assertThat(inventory.state()).isEqualTo(InstanceState.STOPPED);
      Probe.assertFree(port);
      inventory.stop(); // no-op
      inventory.kill(); // no-op on a stopped instance
      assertThat(events.only("stopped")).containsExactly("stopped:inventory-1");
      assertThat(events.only("killed")).isEmpty();
    }
  }

  @Test
  void deployRestartsWithTheNewVersionAndReportsIt() throws Exception {
    Probe.Recorder events = new Probe.Recorder();
    try (SystemRuntime runtime = runtime();
        HttpClient client = Probe.client()) {
      runtime.addListener(events);
      runtime.start();
      InstanceHandle inventory = runtime.instance("inventory-1");
      Path storage = inventory.storage();

      inventory.deploy("2.0.0-bad");

      assertThat(inventory.version()).isEqualTo("2.0.0-bad");
      assertThat(inventory.state()).isEqualTo(InstanceState.READY);
      assertThat(versionsSeen).containsExactly("1.0.0", "2.0.0-bad");
      assertThat(Probe.get(client, inventory.port(), "/version").body()).isEqualTo("2.0.0-bad");
      assertThat(closes).containsExactly("close:1.0.0");
      assertThat(events.events)
          .containsSubsequence(
              "stopped:inventory-1",
              "starting:inventory-1",
              "ready:inventory-1",
              "deployed:inventory-1:1.0.0->2.0.0-bad");
      assertThat(runtime.discovery().endpoints("inventory"))
          .singleElement()
          .satisfies(e -> assertThat(e.metadata()).containsEntry("version", "2.0.0-bad"));
      assertThat(inventory.storage()).isEqualTo(storage);
      assertThat(Files.readAllLines(storage.resolve("starts")))
          .containsExactly("1.0.0", "2.0.0-bad");
    }
  }

  @Test
  void aDeployThatCannotStartLeavesTheInstanceFailedAndARestartRecoversIt() throws Exception {
    Probe.Recorder events = new Probe.Recorder();
    try (SystemRuntime runtime = runtime();
        HttpClient client = Probe.client()) {
      runtime.addListener(events);
      runtime.start();
      InstanceHandle inventory = runtime.instance("inventory-1");

      assertThatThrownBy(() -> inventory.deploy("broken"))
          .isInstanceOf(RuntimeStartException.class)
          .hasMessageContaining("inventory-1")
          .hasMessageContaining("version broken cannot start");

      assertThat(inventory.state()).isEqualTo(InstanceState.FAILED);
      assertThat(events.only("failed")).containsExactly("failed:inventory-1");
      assertThat(events.only("deployed")).isEmpty();
      assertThat(runtime.readyEndpoints("inventory")).isEmpty();
      assertThat(inventory.version()).as("a version that never got ready").isEqualTo("1.0.0");

      inventory.restart(); // restarts the last version that got ready
      assertThat(inventory.state()).isEqualTo(InstanceState.READY);
      assertThat(versionsSeen).containsExactly("1.0.0", "broken", "1.0.0");
      assertThat(Probe.get(client, inventory.port(), "/version").body()).isEqualTo("1.0.0");
      assertThat(runtime.discovery().endpoints("inventory"))
          .singleElement()
          .satisfies(e -> assertThat(e.metadata()).containsEntry("version", "1.0.0"));

      inventory.deploy("1.0.1");
      assertThat(Probe.get(client, inventory.port(), "/version").body()).isEqualTo("1.0.1");
      assertThat(inventory.version()).isEqualTo("1.0.1");
      assertThat(events.only("deployed")).containsExactly("deployed:inventory-1:1.0.0->1.0.1");
      assertThat(closes).containsExactly("close:1.0.0", "close:1.0.0");

      inventory.restart(); // a running instance: graceful stop, then start
      assertThat(inventory.state()).isEqualTo(InstanceState.READY);
      assertThat(closes).containsExactly("close:1.0.0", "close:1.0.0", "close:1.0.1");
      assertThat(Probe.get(client, inventory.port(), "/version").body()).isEqualTo("1.0.1");
    }
  }

  @Test
  void noRuntimeThreadSurvivesStop() throws Exception {
    SystemRuntime runtime = runtime(RuntimeOptions.builder(root).build());
    runtime.start();
    Set<Thread> threads = new HashSet<>(Probe.runtimeThreads());
    threads.addAll(loops);
    assertThat(threads)
        .extracting(Thread::getName)
        .contains("bulwark-scheduler", "inventory-1-loop", "vert.x-eventloop-thread-0");
    assertThat(threads).isNotEmpty();
    runtime.stop();
    runtime.stop();
    assertThat(Probe.survivors(threads)).isEmpty();
  }
}
