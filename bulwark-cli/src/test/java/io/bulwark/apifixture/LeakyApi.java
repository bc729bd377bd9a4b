package io.bulwark.apifixture;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import java.util.List;

/** Fixture: a public API type with third-party types in its signatures. */
public final class LeakyApi {
  private LeakyApi() {}

  /** A third-party return type. */
  public static OpenTelemetry openTelemetry() {
    return OpenTelemetry.noop();
  }

  /** A third-party type only as a type argument. */
  public static List<Span> spans() {
    return List.of();
  }
}
