package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.http.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Operations on one instance never wait for another instance's drain. */
class InstanceIndependenceTest {
  @TempDir Path root;

  @Test
  void killingOneInstanceDoesNotWaitForAnotherInstancesDrain() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ServiceFactory slow =
        ctx -> {
          ctx.server()
              .get(
                  "/slow",
                  req -> {
                    entered.countDown();
                    release.await();
                    return Response.text(200, "drained");
                  });
          return ServiceInstance.none();
        };
    SystemModel model =
        SystemModel.builder("s")
            .service(ServiceSpec.builder("a", slow).build())
            .service(ServiceSpec.builder("b", ctx -> ServiceInstance.none()).build())
            .build();
    RuntimeOptions opts = RuntimeOptions.builder(root).drainBudget(Duration.ofSeconds(30)).build();
    try (SystemRuntime runtime = SystemRuntime.inProcess(model, opts);
        HttpClient client = Probe.client()) {
      runtime.start();
      InstanceHandle a = runtime.instance("a-1");
      CompletableFuture<HttpResponse<String>> inFlight =
          client.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.port() + "/slow")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Void> stopping = CompletableFuture.runAsync(a::stop);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (a.state() != InstanceState.STOPPING && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(a.state()).isEqualTo(InstanceState.STOPPING);

      runtime.instance("b-1").kill();

      assertThat(runtime.instance("b-1").state()).isEqualTo(InstanceState.KILLED);
      assertThat(a.state()).as("a-1 still drains its request").isEqualTo(InstanceState.STOPPING);
      release.countDown();
      stopping.get(10, TimeUnit.SECONDS);
      assertThat(inFlight.get(10, TimeUnit.SECONDS).body()).isEqualTo("drained");
      assertThat(a.state()).isEqualTo(InstanceState.STOPPED);
    }
  }
}
