package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.http.internal.RouteTable;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTableTest {
  private final Handler h = r -> Response.status(204);

  @Test
  void matchesLiteralAndTemplatedPaths() {
    RouteTable t = new RouteTable();
    t.add("GET", "/", h);
    t.add("GET", "/orders", h);
    t.add("GET", "/orders/{id}", h);
    t.add("PUT", "/orders/{id}/items/{item}", h);
    assertThat(t.match("GET", "/").template()).isEqualTo("/");
    assertThat(t.match("GET", "/orders").params()).isEmpty();
    assertThat(t.match("GET", "/orders/7").params()).isEqualTo(Map.of("id", "7"));
    assertThat(t.match("PUT", "/orders/7/items/x").params())
        .isEqualTo(Map.of("id", "7", "item", "x"));
    assertThat(t.match("GET", "/orders/7/items/x")).isNull();
    assertThat(t.match("GET", "/orders/")).isNull();
    assertThat(t.match("GET", "/orders/7/")).isNull();
    assertThat(t.match("GET", "/ordersX")).isNull();
    assertThat(t.allowedMethods("/orders/7/items/x")).containsExactly("PUT");
  }

  @Test
  void badTemplatesAndDuplicatesAreRejectedNamingThem() {
    RouteTable t = new RouteTable();
    t.add("GET", "/a/{id}", h);
    assertThatThrownBy(() -> t.add("GET", "/a/{id}", h)).hasMessageContaining("GET /a/{id}");
    assertThatThrownBy(() -> t.add("GET", "a", h)).hasMessageContaining("\"a\"");
    assertThatThrownBy(() -> t.add("GET", "/a//b", h)).hasMessageContaining("/a//b");
    assertThatThrownBy(() -> t.add("GET", "/a/{x", h)).hasMessageContaining("{x");
    assertThatThrownBy(() -> t.add("G3T", "/b", h)).hasMessageContaining("G3T");
  }

  @Test
  void spanNamesAreMadeOncePerRouteAndAnotherMethodGetsItsOwn() {
    RouteTable t = new RouteTable();
    t.add("get", "/orders/{id}", h);
    t.add("GET", "/health", h);
    t.admission("GET", "/health", io.bulwark.http.Admission.byCriticality(2));
    RouteTable.Match m = t.match("GET", "/orders/7");
    assertThat(m.spanName("GET")).isEqualTo("GET /orders/{id}").isSameAs(m.spanName("GET"));
    assertThat(t.match("GET", "/orders/8").spanName("GET")).isSameAs(m.spanName("GET"));
    assertThat(m.spanName("HEAD")).isEqualTo("HEAD /orders/{id}");
    assertThat(m.spanName("GE")).isEqualTo("GE /orders/{id}");
    assertThat(m.spanName("GETX")).isEqualTo("GETX /orders/{id}");
    assertThat(t.match("GET", "/health").spanName("GET")).isEqualTo("GET /health");
  }
}
