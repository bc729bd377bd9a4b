package io.bulwark.cli;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.library.Architectures.LayeredArchitecture;

/**
 * The layering of ARCHITECTURE.md as an ArchUnit rule: each module's packages may use only the
 * modules below it. Maven's dependency graph already stops most violations at compile time; this
 * rule also catches the ones Maven cannot see (a module that depends on a lower one only
 * transitively, optional or test-scoped dependencies leaking into main code).
 */
final class BulwarkLayers {
  private BulwarkLayers() {}

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
        .layer("telemetry")
        .definedBy("io.bulwark.telemetry..")
        .layer("events")
        .definedBy("io.bulwark.events..")
        .layer("http")
        .definedBy("io.bulwark.http..")
        .layer("libraries-upper")
        .definedBy(
            "io.bulwark.saga..", "io.bulwark.data..", "io.bulwark.security..", "io.bulwark.chaos..")
        .layer("edge")
        .definedBy("io.bulwark.gateway..")
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
        .whereLayer("telemetry")
        .mayOnlyAccessLayers("kernel", "resilience")
        .whereLayer("events")
        .mayOnlyAccessLayers("kernel", "telemetry", "resilience")
        .whereLayer("http")
        .mayOnlyAccessLayers("kernel", "telemetry", "resilience")
        .whereLayer("libraries-upper")
        .mayOnlyAccessLayers(
            "kernel", "telemetry", "resilience", "events", "http", "libraries-upper")
        .whereLayer("edge")
        .mayOnlyAccessLayers(
            "kernel", "telemetry", "resilience", "events", "http", "libraries-upper")
        .whereLayer("runtime")
        .mayOnlyAccessLayers(
            "kernel", "telemetry", "resilience", "events", "http", "libraries-upper", "edge")
        .whereLayer("reference")
        .mayOnlyAccessLayers(
            "kernel",
            "telemetry",
            "resilience",
            "events",
            "http",
            "libraries-upper",
            "edge",
            "runtime")
        .whereLayer("tools")
        .mayOnlyAccessLayers(
            "kernel",
            "telemetry",
            "resilience",
            "events",
            "http",
            "libraries-upper",
            "edge",
            "runtime",
            "reference");
  }
}
