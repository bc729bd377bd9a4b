package io.bulwark.apifixture;

import io.opentelemetry.api.OpenTelemetry;
import java.util.Optional;

/** Fixture: a public type that uses a third-party type only where the API does not show it. */
public final class HiddenUse {
  private final OpenTelemetry otel = OpenTelemetry.noop();

  public Optional<String> name() {
    return Optional.of(describe(otel));
  }

  static String describe(OpenTelemetry otel) {
    return otel.toString();
  }
}
