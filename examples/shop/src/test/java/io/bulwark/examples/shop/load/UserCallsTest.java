package io.bulwark.examples.shop.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How the users name the cause of an error. */
class UserCallsTest {
  static String cause(int status, String body) {
    return UserCalls.cause(new UserCalls.Answer(status, body));
  }

  @Test
  void aCauseNamesTheServicesErrorCodeOrTheGatewaysProblemKind() {
    assertThat(cause(409, "{\"error\":\"out_of_stock\",\"reason\":\"none left\"}"))
        .isEqualTo("409 out_of_stock (none left)");
    assertThat(
            cause(
                503,
                "{\"type\":\"urn:bulwark:gateway:circuit-open\",\"status\":503,\"detail\":\"x\"}"))
        .isEqualTo("503 circuit-open");
    assertThat(cause(503, "{\"error\":\"down\",\"type\":\"urn:x:y\"}")).isEqualTo("503 down");
    assertThat(cause(502, "<html>bad gateway</html>")).isEqualTo("502");
    assertThat(cause(0, "java.net.http.HttpTimeoutException: request timed out"))
        .isEqualTo("no answer (HttpTimeoutException)");
  }
}
