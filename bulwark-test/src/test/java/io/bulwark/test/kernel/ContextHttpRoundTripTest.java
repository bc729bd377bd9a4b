package io.bulwark.test.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.Criticality;
import io.bulwark.core.context.MalformedHeaderException;
import io.bulwark.core.context.TraceContext;
import io.bulwark.core.time.Clock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The context crosses a real HTTP hop on loopback: the client injects it into request headers, the
 * server extracts it, binds it and answers from {@link Context#current()} on a virtual thread.
 */
class ContextHttpRoundTripTest {
  private final ContextHeaders codec =
      ContextHeaders.builder().maxDeadline(Duration.ofSeconds(10)).build();
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/echo",
        exchange -> {
          String body;
          int status;
          try {
            Context ctx =
                codec.extract(
                    name -> exchange.getRequestHeaders().getFirst(name.toLowerCase(Locale.ROOT)));
            body =
                ctx.call(
                    () -> {
                      Context c = Context.current();
                      return c.correlationId()
                          + "|"
                          + c.criticality()
                          + "|"
                          + c.trace().traceId()
                          + "|"
                          + c.baggage().get("tenant")
                          + "|"
                          + c.deadline().remaining().toMillis();
                    });
            status = 200;
          } catch (MalformedHeaderException e) {
            body = e.getMessage();
            status = 400;
          } catch (Exception e) {
            body = e.toString();
            status = 500;
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void contextSurvivesAnHttpRoundTrip() throws Exception {
    TraceContext trace = TraceContext.newTrace(true);
    long start = System.nanoTime();
    Context sent =
        Context.root()
            .withTimeout(Duration.ofSeconds(5), Clock.system())
            .withCriticality(Criticality.CRITICAL_PLUS)
            .withCorrelationId("checkout-7")
            .withTrace(trace)
            .withBaggage("tenant", "acme");

    HttpResponse<String> response = send(sent);
    long spentMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(response.statusCode()).isEqualTo(200);
    String[] parts = response.body().split("\\|", -1);
    assertThat(parts[0]).isEqualTo("checkout-7");
    assertThat(parts[1]).isEqualTo("CRITICAL_PLUS");
    assertThat(parts[2]).isEqualTo(trace.traceId());
    assertThat(parts[3]).isEqualTo("acme");
    // what was left of the 5 s when the server read it: less at most the round trip (and rounding)
    assertThat(Long.parseLong(parts[4])).isBetween(5000L - spentMillis - 3, 5000L);
  }

  @Test
  void malformedHeaderIsAnsweredWith400NamingIt() throws Exception {
    try (HttpClient client = HttpClient.newHttpClient()) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(uri()).header("bulwark-deadline", "soon").build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.body()).contains("bulwark-deadline").contains("\"soon\"");
    }
  }

  private HttpResponse<String> send(Context context) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri()).timeout(Duration.ofSeconds(30));
    codec.inject(context, request::header);
    try (HttpClient client = HttpClient.newHttpClient()) {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  private URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/echo");
  }
}
