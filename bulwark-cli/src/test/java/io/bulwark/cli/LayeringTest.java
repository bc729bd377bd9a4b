package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class LayeringTest {

  @Test
  void everyBulwarkModuleUsesOnlyTheLayersBelowIt() {
    JavaClasses production =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.bulwark");
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
}
