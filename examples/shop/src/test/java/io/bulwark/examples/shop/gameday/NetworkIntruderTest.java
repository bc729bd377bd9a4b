package io.bulwark.examples.shop.gameday;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.http.discovery.Endpoint;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The intruder's verdicts against real servers: a payments that takes plain HTTP charges is a
 * breach; one that answers 403 refused it; no ready instance is nothing to attack. (Against the
 * shop's payments under mutual TLS: {@code DemoDashboardGameDayTest}.)
 */
class NetworkIntruderTest {

  private static NetworkIntruder against(BulwarkServer server) {
    Endpoint e =
        new Endpoint("127.0.0.1:" + server.port(), "127.0.0.1", server.port(), "local", Map.of());
    return new NetworkIntruder(service -> List.of(e), "shop");
  }

  @Test
  void aPaymentsThatTakesPlainHttpChargesIsABreach() {
    BulwarkServer open =
        BulwarkServer.builder()
            .eventLoops(1)
            .post("/charges", r -> Response.text(201, "charged"))
            .build()
            .start();
    try {
      assertThatThrownBy(() -> against(open).tryToCharge("payments"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("BREACH")
          .hasMessageContaining("intruder-1")
          .hasMessageContaining("201");
    } finally {
      open.shutdown();
    }
  }

  @Test
  void aPaymentsThatRefusesIsReportedWithHowItRefused() {
    BulwarkServer closed =
        BulwarkServer.builder()
            .eventLoops(1)
            .post("/charges", r -> Response.text(403, "no"))
            .build()
            .start();
    try {
      assertThat(against(closed).tryToCharge("payments"))
          .isEqualTo(
              "refused: plain HTTP got 403; a forged spiffe://shop/orders certificate got no"
                  + " answer");
    } finally {
      closed.shutdown();
    }
    assertThat(new NetworkIntruder(service -> List.of(), "shop").tryToCharge("payments"))
        .isEqualTo("no instance of payments was ready: nothing to attack");
  }
}
