package io.bulwark.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.http.AuthorizationPolicy;
import io.bulwark.runtime.ServiceInstance;
import io.bulwark.runtime.ServiceSpec;
import io.bulwark.runtime.SystemModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What each workload is given: its own key store under a password of its own, never another's and
 * never the runtime's.
 */
class IdentitiesTest {
  @TempDir Path root;

  private Identities identities() {
    ServiceSpec payments =
        ServiceSpec.builder("payments", ctx -> ServiceInstance.none())
            .mutualTls(
                AuthorizationPolicy.builder()
                    .allow("checkout", List.of("/charges"), List.of("POST"), List.of("*"))
                    .build())
            .build();
    SystemModel model =
        SystemModel.builder("shop")
            .service(payments)
            .service(ServiceSpec.builder("orders", ctx -> ServiceInstance.none()).build())
            .build();
    Identities ids = Identities.of(model, root, "127.0.0.1");
    assertThat(ids).isNotNull();
    return ids;
  }

  private static boolean opens(Path keyStore, String password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      store.load(in, password.toCharArray());
      return true;
    } catch (IOException e) {
      return false; // a wrong password
    }
  }

  @Test
  void everyKeyStoreHasAPasswordOfItsOwnAndAChildIsGivenOnlyItsOwn() throws Exception {
    Identities ids = identities();
    Identities.Issued payments = ids.issue("payments", "payments-1");
    Identities.Issued orders = ids.issue("orders", "orders-1");
    Identities.Issued runtime = ids.runtime();
    assertThat(opens(payments.keyStore(), payments.password())).isTrue();
    assertThat(opens(orders.keyStore(), orders.password())).isTrue();
    assertThat(opens(payments.keyStore(), orders.password())).isFalse();
    assertThat(opens(runtime.keyStore(), payments.password())).isFalse();
    assertThat(opens(runtime.keyStore(), orders.password())).isFalse();

    Properties p = new Properties();
    ChildIdentity.describe(
        p, ids, ServiceSpec.builder("orders", ctx -> ServiceInstance.none()).build(), orders);
    assertThat(p.getProperty("identity.keyPassword")).isEqualTo(orders.password());
    assertThat(p.stringPropertyNames())
        .noneMatch(k -> p.getProperty(k).contains(payments.password()))
        .noneMatch(k -> p.getProperty(k).contains(runtime.password()));
    assertThat(p.getProperty("identity.protected")).isEqualTo("payments");
    assertThat(p.getProperty("identity.rule.0.name")).as("orders is not protected").isNull();
  }

  @Test
  void theRuntimesIdentityIsIssuedToNoService() {
    Identities ids = identities();
    assertThatThrownBy(() -> ids.issue("bulwark-runtime", "x-1"))
        .hasMessageContaining("'bulwark-runtime' is the runtime's own identity");
    assertThat(ids.scheme("payments")).isEqualTo("https");
    assertThat(ids.scheme("orders")).isEqualTo("http");
  }
}
