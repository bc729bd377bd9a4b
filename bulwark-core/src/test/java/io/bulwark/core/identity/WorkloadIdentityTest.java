package io.bulwark.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class WorkloadIdentityTest {

  @Test
  void aSpiffeIdParsesIntoItsPartsAndPrintsBackUnchanged() {
    WorkloadIdentity id = WorkloadIdentity.parse("spiffe://shop.example/ns/prod/orders-v2");
    assertThat(id.trustDomain()).isEqualTo("shop.example");
    assertThat(id.path()).isEqualTo("/ns/prod/orders-v2");
    assertThat(id).hasToString("spiffe://shop.example/ns/prod/orders-v2");
    assertThat(WorkloadIdentity.of("shop", "bff"))
        .isEqualTo(WorkloadIdentity.parse("spiffe://shop/bff"));
  }

  @Test
  void everyOtherSpellingIsRefusedNamingTheValue() {
    for (String bad :
        List.of(
            "https://shop/orders",
            "SPIFFE://shop/orders",
            "spiffe://Shop/orders",
            "spiffe://shop",
            "spiffe://shop/",
            "spiffe:///orders",
            "spiffe://shop:443/orders",
            "spiffe://user@shop/orders",
            "spiffe://shop/orders?x=1",
            "spiffe://shop/orders#f",
            "spiffe://shop//orders",
            "spiffe://shop/./orders",
            "spiffe://shop/../orders",
            "spiffe://shop/orders/",
            "spiffe://shop/ord%65rs",
            "spiffe://shop/or ders",
            "spiffe://shop/" + "a".repeat(2040))) {
      assertThatThrownBy(() -> WorkloadIdentity.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(bad.length() > 100 ? "longer than" : bad);
    }
  }
}
