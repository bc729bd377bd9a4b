package io.bulwark.resilience;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The module sits on the kernel (and Caffeine, for the keyed rate limiter's bounded key map only),
 * and its limit algorithms know nothing of the limiter.
 */
class LayeringTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.bulwark.resilience");

  @Test
  void dependsOnlyOnTheJdkTheKernelJspecifyAndCaffeine() {
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "io.bulwark.core..",
            "io.bulwark.resilience..",
            "org.jspecify..",
            "com.github.benmanes.caffeine.cache..")
        .check(CLASSES);
  }

  @Test
  void onlyTheKeyedRateLimiterUsesCaffeine() {
    noClasses()
        .that()
        .doNotHaveSimpleName("DefaultKeyedRateLimiter")
        .and()
        .doNotHaveSimpleName("KeyCell")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("com.github.benmanes.caffeine..")
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
