package io.bulwark.resilience;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The module sits on the kernel only, and its limit algorithms know nothing of the limiter. */
class LayeringTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.bulwark.resilience");

  @Test
  void dependsOnlyOnTheJdkTheKernelAndJspecify() {
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..", "io.bulwark.core..", "io.bulwark.resilience..", "org.jspecify..")
        .check(CLASSES);
  }

  @Test
  void limitAlgorithmsArePureAndDoNotKnowTheLimiter() {
    noClasses()
        .that()
        .resideInAPackage("io.bulwark.resilience.limit..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.bulwark.resilience", "io.bulwark.core.time..", "java.util.concurrent..")
        .check(CLASSES);
  }
}
