package io.bulwark.http.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.http.lb.Balancing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Thousands of keep-alive calls from several virtual threads to two real servers: every call gets
 * its answer (a regression test for responses lost when requests were issued off the client's event
 * loop, about one in a thousand).
 */
class NoLostResponsesTest {
  @Test
  void everyCallIsAnswered() throws Exception {
    try (Loopback net = new Loopback();
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      BulwarkServer a = net.server(s -> s.get("/x/{n}", r -> Response.json(r.pathParam("n"))));
      BulwarkServer b = net.server(s -> s.get("/x/{n}", r -> Response.json(r.pathParam("n"))));
      net.publish("svc", a, b);
      HttpClients clients =
          net.clients(
              c ->
                  c.client(
                          "svc",
                          ClientConfig.builder("svc")
                              .balancing(Balancing.ROUND_ROBIN)
                              .timeout(Duration.ofSeconds(10))
                              .build())
                      .decorators((n, x) -> CallDecorator.none()));
      ServiceClient client = clients.client("svc");
      List<Future<Integer>> workers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int worker = w;
        workers.add(
            callers.submit(
                () -> {
                  for (int i = 0; i < 750; i++) {
                    String n = worker + "-" + i;
                    assertThat(client.get("/x/" + n).bodyAsString()).isEqualTo("\"" + n + "\"");
                  }
                  return 750;
                }));
      }
      int answered = 0;
      for (Future<Integer> f : workers) {
        answered += f.get(60, TimeUnit.SECONDS);
      }
      assertThat(answered).isEqualTo(3000);
    }
  }
}
