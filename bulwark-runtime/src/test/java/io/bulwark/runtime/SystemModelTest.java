package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SystemModelTest {
  private static final ServiceFactory NONE = ctx -> ServiceInstance.none();

  private static ServiceSpec spec(String name, String... deps) {
    ServiceSpec.Builder b = ServiceSpec.builder(name, NONE);
    for (String d : deps) {
      b.dependsOn(d);
    }
    return b.build();
  }

  @Test
  void ordersDependenciesFirstAndKeepsDeclarationOrderOtherwise() {
    SystemModel model =
        SystemModel.builder("shop")
            .service(spec("orders", "cart", "payments"))
            .service(spec("cart", "catalog"))
            .service(spec("payments"))
            .service(spec("catalog", "recommendations"))
            .service(spec("recommendations"))
            .service(spec("shipping"))
            .build();

    assertThat(model.services())
        .extracting(ServiceSpec::name)
        .containsExactly("payments", "recommendations", "catalog", "cart", "orders", "shipping");
    assertThat(model.service("cart").dependsOn()).containsExactly("catalog");
  }

  @Test
  void aServiceIsNotPulledAheadOfAnEarlierDeclaredServiceItDoesNotDependOn() {
    SystemModel model =
        SystemModel.builder("s")
            .service(spec("a", "c"))
            .service(spec("b"))
            .service(spec("c"))
            .build();
    assertThat(model.services()).extracting(ServiceSpec::name).containsExactly("b", "c", "a");

    SystemModel free =
        SystemModel.builder("s").service(spec("z")).service(spec("m")).service(spec("a")).build();
    assertThat(free.services()).extracting(ServiceSpec::name).containsExactly("z", "m", "a");

    SystemModel chain =
        SystemModel.builder("s")
            .service(spec("d", "c"))
            .service(spec("c", "b"))
            .service(spec("b", "a"))
            .service(spec("a"))
            .service(spec("e"))
            .build();
    assertThat(chain.services())
        .extracting(ServiceSpec::name)
        .containsExactly("a", "b", "c", "d", "e");
  }

  @Test
  void refusesDuplicateServiceNames() {
    SystemModel.Builder b = SystemModel.builder("shop").service(spec("cart")).service(spec("cart"));
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("system shop: service cart is declared twice");
  }

  @Test
  void refusesADependencyOnAnUnknownServiceNamingBoth() {
    SystemModel.Builder b = SystemModel.builder("shop").service(spec("cart", "catalogue"));
    assertThatThrownBy(b::build)
        .hasMessage("system shop: service cart depends on unknown service catalogue");
  }

  @Test
  void refusesACycleNamingItsPath() {
    SystemModel.Builder two =
        SystemModel.builder("s").service(spec("a", "b")).service(spec("b", "a"));
    assertThatThrownBy(two::build).hasMessage("system s: dependency cycle a -> b -> a");

    SystemModel.Builder three =
        SystemModel.builder("s")
            .service(spec("x"))
            .service(spec("a", "x", "b"))
            .service(spec("b", "c"))
            .service(spec("c", "a"));
    assertThatThrownBy(three::build).hasMessage("system s: dependency cycle a -> b -> c -> a");
  }

  @Test
  void refusesASelfDependency() {
    assertThatThrownBy(() -> ServiceSpec.builder("a", NONE).dependsOn("a"))
        .hasMessage("service a cannot depend on itself");
  }

  @Test
  void validatesInstanceCountsAndNames() {
    assertThatThrownBy(() -> ServiceSpec.builder("payments", NONE).instances(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("service payments: instances must be >= 1, got 0");
    assertThatThrownBy(() -> ServiceSpec.builder("payments", NONE).instances(-3))
        .hasMessageContaining("got -3");
    assertThat(ServiceSpec.builder("payments", NONE).instances(1).build().instances()).isEqualTo(1);
    for (String bad : new String[] {"", "Payments", "pay_ments", "1pay", "pay ments", "-pay"}) {
      assertThatThrownBy(() -> ServiceSpec.builder(bad, NONE))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("\"" + bad + "\"");
    }
    assertThat(ServiceSpec.builder("pay-2", NONE).build().name()).isEqualTo("pay-2");
    assertThatThrownBy(() -> ServiceSpec.builder("a", NONE).version(" "))
        .hasMessage("service a: version must not be blank");
  }

  @Test
  void validatesOptions() {
    RuntimeOptions.Builder b = RuntimeOptions.builder(Path.of("target/x"));
    assertThatThrownBy(() -> b.basePort(-1)).hasMessageContaining("was -1");
    assertThatThrownBy(() -> b.basePort(65536)).hasMessageContaining("was 65536");
    assertThat(b.basePort(65535).build().basePort()).isEqualTo(65535);
    assertThat(b.basePort(0).build().basePort()).isZero();
    assertThatThrownBy(() -> b.leaseTtl(Duration.ZERO))
        .hasMessage("leaseTtl must be positive, was PT0S");
    assertThatThrownBy(() -> b.readinessTimeout(Duration.ofMillis(-1)))
        .hasMessageContaining("readinessTimeout must be positive");
    assertThatThrownBy(() -> b.drainBudget(Duration.ZERO))
        .hasMessageContaining("drainBudget must be positive");
    assertThatThrownBy(() -> b.host(" ")).hasMessage("host must not be blank, was \" \"");
  }

  @Test
  void refusesAClockWithoutItsScheduler() {
    var scheduler = new io.bulwark.test.VirtualScheduler();
    RuntimeOptions.Builder b =
        RuntimeOptions.builder(Path.of("target/x")).clock(io.bulwark.core.time.Clock.system());
    assertThatThrownBy(b::build).hasMessageContaining("needs a scheduler on the same clock");
    b.scheduler(scheduler);
    assertThatThrownBy(b::build).hasMessageContaining("needs a scheduler on the same clock");
    assertThat(b.clock(scheduler.clock()).build().scheduler()).isSameAs(scheduler);
  }
}
