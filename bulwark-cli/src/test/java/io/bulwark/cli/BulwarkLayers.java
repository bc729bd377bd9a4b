package io.bulwark.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;

/**
 * The layering of ARCHITECTURE.md as ArchUnit rules: each module's packages may use only the
 * modules below it. Maven's dependency graph already stops most violations at compile time; these
 * rules also catch the ones Maven cannot see (a module that depends on a lower one only
 * transitively, optional or test-scoped dependencies leaking into main code).
 *
 * <p>Telemetry is split: the recording API ({@code io.bulwark.core.telemetry}) is part of the
 * kernel and every library records through it; the OpenTelemetry-backed implementation ({@code
 * io.bulwark.telemetry}) sits above the libraries and only the runtime, the reference system and
 * the tools may use it, so that a user of a library alone gets no OpenTelemetry SDK. Chaos sits
 * above it: its experiments judge the steady state with bulwark-telemetry's SLO objects; its
 * injection points inside the lower modules are reached through a kernel hook, never by a lower
 * module depending on chaos.
 */
final class BulwarkLayers {
  /** The libraries, and the kernel below them, that must not see OpenTelemetry at all. */
  static final String[] BELOW_TELEMETRY = {
    "io.bulwark.core..",
    "io.bulwark.test..",
    "io.bulwark.resilience..",
    "io.bulwark.events..",
    "io.bulwark.http..",
    "io.bulwark.saga..",
    "io.bulwark.data..",
    "io.bulwark.security..",
    "io.bulwark.chaos..",
    "io.bulwark.gateway.."
  };

  private BulwarkLayers() {}

  /** No library below bulwark-telemetry's implementation depends on an OpenTelemetry type. */
  static ArchRule noOpenTelemetryBelowTheImplementation() {
    return noClasses()
        .that()
        .resideInAnyPackage(BELOW_TELEMETRY)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.opentelemetry..")
        .because(
            "libraries record through io.bulwark.core.telemetry; only bulwark-telemetry maps it"
                + " onto OpenTelemetry");
  }

  static LayeredArchitecture rule() {
    return layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .withOptionalLayers(true)
        .layer("kernel")
        .definedBy("io.bulwark.core..")
        .layer("testkit")
        .definedBy("io.bulwark.test..")
        .layer("resilience")
        .definedBy("io.bulwark.resilience..")
        .layer("events")
        .definedBy("io.bulwark.events..")
        .layer("http")
        .definedBy("io.bulwark.http..")
        .layer("libraries-upper")
        .definedBy("io.bulwark.saga..", "io.bulwark.data..", "io.bulwark.security..")
        .layer("edge")
        .definedBy("io.bulwark.gateway..")
        .layer("telemetry-impl")
        .definedBy("io.bulwark.telemetry..")
        .layer("chaos")
        .definedBy("io.bulwark.chaos..")
        .layer("runtime")
        .definedBy("io.bulwark.runtime..")
        .layer("reference")
        .definedBy("io.bulwark.examples..")
        .layer("tools")
        .definedBy("io.bulwark.cli..", "io.bulwark.dashboard..")
        .whereLayer("kernel")
        .mayNotAccessAnyLayer()
        .whereLayer("testkit")
        .mayOnlyAccessLayers("kernel")
        .whereLayer("resilience")
        .mayOnlyAccessLayers("kernel")
        .whereLayer("events")
        .mayOnlyAccessLayers("kernel", "resilience")
        .whereLayer("http")
        .mayOnlyAccessLayers("kernel", "resilience")
        .whereLayer("libraries-upper")
        .mayOnlyAccessLayers("kernel", "resilience", "events", "http", "libraries-upper")
        .whereLayer("edge")
        .mayOnlyAccessLayers("kernel", "resilience", "events", "http", "libraries-upper")
        .whereLayer("telemetry-impl")
        .mayOnlyAccessLayers("kernel")
        .whereLayer("chaos")
        .mayOnlyAccessLayers(
            "kernel", "telemetry-impl", "resilience", "events", "http", "libraries-upper", "edge")
        .whereLayer("runtime")
        .mayOnlyAccessLayers(
            "kernel",
            "telemetry-impl",
            "resilience",
            "events",
            "http",
            "libraries-upper",
            "edge",
            "chaos")
        .whereLayer("reference")
        // testkit: `demo --backend kafka,postgres` starts its broker and server with bulwark-test's
        // KafkaTestBroker and PostgresTestServer (the shop's demo/LocalBackends)
        .mayOnlyAccessLayers(
            "kernel",
            "testkit",
            "telemetry-impl",
            "resilience",
            "events",
            "http",
            "libraries-upper",
            "edge",
            "chaos",
            "runtime")
        .whereLayer("tools")
        .mayOnlyAccessLayers(
            "kernel",
            "telemetry-impl",
            "resilience",
            "events",
            "http",
            "libraries-upper",
            "edge",
            "chaos",
            "runtime",
            "reference");
  }
}
