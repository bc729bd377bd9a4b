package io.bulwark.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.time.Clock;
import io.bulwark.test.kit.ConfigCopies;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.lang.invoke.MethodHandles;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code TelemetryConfig.toBuilder()} copies every field (span processors and exporters included),
 * also fields added later: the sample differs from the defaults in every field (checked by
 * reflection).
 */
class TelemetryConfigToBuilderTest {
  private static final ConfigCopies COPIES = ConfigCopies.using(MethodHandles.lookup());

  @Test
  void toBuilderCopiesEveryFieldAndASetterChangesOnlyItsOwn() {
    Clock clock =
        new Clock() {
          @Override
          public long nanoTime() {
            return 0;
          }

          @Override
          public long wallMillis() {
            return 0;
          }
        };
    TelemetryConfig sample =
        TelemetryConfig.builder()
            .serviceName("shop")
            .enabled(false)
            .clock(clock)
            .samplingRatio(0.5)
            .maxNamesPerDimension(20)
            .durationBuckets(List.of(Duration.ofMillis(1), Duration.ofSeconds(1)))
            .otlpEndpoint(URI.create("http://127.0.0.1:4318"))
            .otlpInterval(Duration.ofSeconds(5))
            .addSpanProcessor(SpanProcessor.composite())
            .addSpanExporter(SpanExporter.composite())
            .buildConfig();
    TelemetryConfig defaults = TelemetryConfig.builder().buildConfig();
    assertThat(COPIES.equalFields(sample, defaults)).as("fields equal to the default").isEmpty();
    assertThat(COPIES.equalFields(sample, sample.toBuilder().buildConfig()))
        .containsExactlyElementsOf(COPIES.fieldNames(sample));
    List<String> others = new ArrayList<>(COPIES.fieldNames(sample));
    others.remove("samplingRatio");
    assertThat(COPIES.equalFields(sample, sample.toBuilder().samplingRatio(0.25).buildConfig()))
        .containsExactlyElementsOf(others);
  }
}
