package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** System files: a good one becomes the model; every bad one names file, line, field and value. */
class SystemFileTest {
  @TempDir Path dir;
  private static final String F = NodeFactory.class.getName();

  private List<String> problems(String yaml) throws Exception {
    return SystemFiles.problems(dir, yaml);
  }

  @Test
  void aGoodFileBecomesTheModelInStartOrder() throws Exception {
    Path file = dir.resolve("good.yaml");
    Files.writeString(
        file,
        """
        system: shop
        services:
          orders:
            factory: %s
            depends-on: [payments]
            settings: {calls: payments, timeout-ms: "900"}
          payments:
            factory: %s
            version: 2.1.0
            instances: 3
            zones: [a, b]
            port: 19100
            storage: data/pay
        """
            .formatted(F, F));
    SystemModel m = SystemFile.load(file);
    assertThat(m.name()).isEqualTo("shop");
    assertThat(m.services()).extracting(ServiceSpec::name).containsExactly("payments", "orders");
    ServiceSpec pay = m.service("payments");
    assertThat(pay.instances()).isEqualTo(3);
    assertThat(pay.version()).isEqualTo("2.1.0");
    assertThat(List.of(pay.zoneOf(1), pay.zoneOf(2), pay.zoneOf(3))).containsExactly("a", "b", "a");
    assertThat(pay.port()).isEqualTo(19100);
    assertThat(pay.storage()).contains(dir.toAbsolutePath().resolve("data/pay"));
    assertThat(pay.factoryClass()).contains(F);
    assertThat(m.service("orders").settings()).containsEntry("timeout-ms", "900");
    assertThat(m.service("orders").dependsOn()).containsExactly("payments");
  }

  @Test
  void everyProblemIsNamedWithItsLine() throws Exception {
    List<String> p =
        problems(
            """
            system: s
            services:
              a:
                factory: %s
                instances: 0
                depends-on: [ghost]
                colour: red
              b:
                factory: no.such.Factory
              c:
                version: 1
            """
                .formatted(F));
    assertThat(p)
        .anySatisfy(
            l ->
                assertThat(l)
                    .endsWith(
                        "sys.yaml:5: services.a.instances: service a: instances must be >= 1, got 0"))
        .anySatisfy(
            l -> assertThat(l).contains("sys.yaml:6: services.a.depends-on: unknown service ghost"))
        .anySatisfy(l -> assertThat(l).contains("sys.yaml:7: services.a.colour: unknown key"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains(
                        "sys.yaml:9: services.b.factory: service b: factory class no.such.Factory not found"))
        .anySatisfy(l -> assertThat(l).contains("services.c.factory: is required"));
  }

  @Test
  void aCycleIsNamedWithItsPath() throws Exception {
    List<String> p =
        problems(
            """
            system: s
            services:
              a: {factory: %s, depends-on: [b]}
              b: {factory: %s, depends-on: [a]}
            """
                .formatted(F, F));
    assertThat(p)
        .singleElement()
        .asString()
        .contains("sys.yaml:3: services.a.depends-on")
        .contains("dependency cycle a -> b -> a");
  }

  @Test
  void overlappingPortRangesClash() throws Exception {
    List<String> p =
        problems(
            """
            system: s
            services:
              a: {factory: %s, port: 9100, instances: 3}
              b: {factory: %s, port: 9102}
            """
                .formatted(F, F));
    assertThat(p)
        .singleElement()
        .asString()
        .contains(
            "sys.yaml:4: services.b.port: ports 9102..9102 clash with service a (9100..9102)");
  }

  @Test
  void aMissingFileIsNamed() {
    assertThatThrownBy(() -> SystemFile.load(dir.resolve("none.yaml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("none.yaml")
        .hasMessageContaining("cannot read file");
  }

  @Test
  void processModeNeedsFactoriesNamedByClass() {
    SystemModel m =
        SystemModel.builder("s")
            .service(ServiceSpec.builder("a", ctx -> ServiceInstance.none()).build())
            .build();
    assertThatThrownBy(() -> SystemRuntime.processes(m, RuntimeOptions.builder(dir).build()))
        .hasMessageContaining("service a has no factory class");
  }
}
