package io.bulwark.examples.shop.edge;

import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.edge.EdgeService.EdgePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Finds the gateway's public listener from its instance's {@code GET /edge}. */
public final class EdgeAddress {
  private EdgeAddress() {}

  /**
   * {@code http://<host>:<public port>} of the gateway whose instance server is {@code instance}.
   *
   * @throws IllegalStateException naming the instance when it does not answer 200
   */
  public static URI of(URI instance) {
    try (HttpClient client =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(instance.resolve("/edge"))
                  // asked once, right after start-up: on a loaded machine (the demo with a Kafka
                  // broker beside it) the first answer of a just-started JVM can take seconds
                  .timeout(Duration.ofSeconds(20))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(
            "gateway instance " + instance + " answered GET /edge with " + r.statusCode());
      }
      EdgePorts ports = Json.read(r.body(), EdgePorts.class, "GET " + instance + "/edge");
      return URI.create("http://" + instance.getHost() + ":" + ports.port());
    } catch (IOException e) {
      throw new IllegalStateException("gateway instance " + instance + " did not answer: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking " + instance + " for the edge", e);
    }
  }
}
