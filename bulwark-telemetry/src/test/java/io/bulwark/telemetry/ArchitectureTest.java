package io.bulwark.telemetry;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** House rules that the compiler does not check, enforced on the production classes. */
class ArchitectureTest {
  static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.bulwark.telemetry");

  @Test
  void noThreadLocalState() {
    noClasses().should().dependOnClassesThat().areAssignableTo(ThreadLocal.class).check(CLASSES);
  }

  @Test
  void timeComesFromTheInjectedClock() {
    noClasses().should().callMethod(System.class, "nanoTime").check(CLASSES);
    noClasses().should().callMethod(System.class, "currentTimeMillis").check(CLASSES);
  }

  @Test
  void nothingMakesAnOtelContextCurrent() {
    noClasses()
        .should()
        .callMethod(io.opentelemetry.context.Context.class, "makeCurrent")
        .orShould()
        .callMethod(io.opentelemetry.api.trace.Span.class, "makeCurrent")
        .check(CLASSES);
  }

  @Test
  void dependsOnNoBulwarkModuleButCore() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.bulwark.resilience..",
            "io.bulwark.http..",
            "io.bulwark.events..",
            "io.bulwark.runtime..",
            "io.bulwark.cli..")
        .check(CLASSES);
  }
}
