package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.bulwark.cli.PublicApiRule.ApiModule;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LayeringTest {
  private static final JavaClasses PRODUCTION =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.bulwark");

  @Test
  void everyBulwarkModuleUsesOnlyTheLayersBelowIt() {
    JavaClasses production = PRODUCTION;
    assertThat(production.containPackage("io.bulwark.core.context")).isTrue();
    assertThat(production.containPackage("io.bulwark.cli")).isTrue();
    for (String module :
        new String[] {
          "test", "resilience", "telemetry", "http", "events", "runtime", "examples.shop"
        }) {
      assertThat(production.containPackage("io.bulwark." + module))
          .as("io.bulwark.%s is on the class path", module)
          .isTrue();
    }

    BulwarkLayers.rule().check(production);
  }

  @Test
  void aKernelClassThatReachesUpIntoToolsIsReported() {
    JavaClasses fixture =
        new ClassFileImporter().importPackages("io.bulwark.core.archfixture", "io.bulwark.cli");

    assertThatThrownBy(() -> BulwarkLayers.rule().check(fixture))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("io.bulwark.core.archfixture.KernelReachingUp")
        .hasMessageContaining("io.bulwark.cli.BulwarkCli");
  }

  @Test
  void noLibraryBelowTheTelemetryImplementationSeesOpenTelemetry() {
    assertThat(PRODUCTION.containPackage("io.bulwark.core.telemetry")).isTrue();
    BulwarkLayers.noOpenTelemetryBelowTheImplementation().check(PRODUCTION);
  }

  @Test
  void aLibraryThatUsesTheTelemetryImplementationIsReported() {
    JavaClasses fixture =
        new ClassFileImporter()
            .importPackages(
                "io.bulwark.http.archfixture", "io.bulwark.telemetry", "io.bulwark.core.telemetry");

    assertThatThrownBy(() -> BulwarkLayers.rule().check(fixture))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("io.bulwark.http.archfixture.HttpReachingTelemetryImpl")
        .hasMessageContaining("io.bulwark.telemetry.BulwarkTelemetry")
        .hasMessageNotContaining("io.bulwark.core.telemetry.Telemetry.noop()");
  }

  @Test
  void aLibraryThatTalksToOpenTelemetryIsReported() {
    JavaClasses fixture = new ClassFileImporter().importPackages("io.bulwark.events.archfixture");

    assertThatThrownBy(() -> BulwarkLayers.noOpenTelemetryBelowTheImplementation().check(fixture))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("io.bulwark.events.archfixture.EventsUsingOpenTelemetry")
        .hasMessageContaining("io.opentelemetry.api.trace.Span");
  }

  @Test
  void publicApiSignaturesUseOnlyJdkBulwarkAndRequiresTransitiveTypes() {
    List<ApiModule> modules = PublicApiRule.bulwarkModules();
    assertThat(modules)
        .extracting(ApiModule::name)
        .contains(
            "io.bulwark.core",
            "io.bulwark.resilience",
            "io.bulwark.telemetry",
            "io.bulwark.http",
            "io.bulwark.events",
            "io.bulwark.saga",
            "io.bulwark.runtime");

    Set<String> toleratedSeen = new HashSet<>();
    PublicApiRule.rule(modules, PublicApiRule.TOLERATED, toleratedSeen).check(PRODUCTION);
    assertThat(toleratedSeen)
        .as("tolerated leaks that no longer occur must leave PublicApiRule.TOLERATED")
        .containsExactlyInAnyOrderElementsOf(PublicApiRule.TOLERATED);
  }

  @Test
  void aThirdPartyTypeInAPublicSignatureIsReportedUnlessRequiredTransitively() {
    JavaClasses fixture = new ClassFileImporter().importPackages("io.bulwark.apifixture");
    Set<String> exported = Set.of("io.bulwark.apifixture");
    ApiModule withoutOtel = new ApiModule("fixture", exported, Set.of("java.lang", "java.util"));
    ApiModule withOtel =
        new ApiModule(
            "fixture",
            exported,
            Set.of("java.lang", "java.util", "io.opentelemetry.api", "io.opentelemetry.api.trace"));

    assertThatThrownBy(() -> PublicApiRule.rule(List.of(withoutOtel)).check(fixture))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(
            "io.bulwark.apifixture.LeakyApi (module fixture) exposes"
                + " io.opentelemetry.api.OpenTelemetry")
        .hasMessageContaining("exposes io.opentelemetry.api.trace.Span")
        .hasMessageNotContaining("HiddenUse");
    PublicApiRule.rule(List.of(withOtel)).check(fixture);
  }
}
