package io.bulwark.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.time.Clock;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * {@code TelemetryConfig.toBuilder()} copies every field (span processors included), also fields
 * added later: the sample differs from the defaults in every field (checked by reflection).
 */
class TelemetryConfigToBuilderTest {

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
            .buildConfig();
    TelemetryConfig defaults = TelemetryConfig.builder().buildConfig();
    assertThat(equalFields(sample, defaults)).as("fields equal to the default").isEmpty();
    assertThat(equalFields(sample, sample.toBuilder().buildConfig()))
        .containsExactlyElementsOf(fieldNames(sample));
    List<String> others = new ArrayList<>(fieldNames(sample));
    others.remove("samplingRatio");
    assertThat(equalFields(sample, sample.toBuilder().samplingRatio(0.25).buildConfig()))
        .containsExactlyElementsOf(others);
  }

  private static List<Field> fields(Object o) {
    List<Field> out = new ArrayList<>();
    for (Field f : o.getClass().getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        f.setAccessible(true);
        out.add(f);
      }
    }
    return out;
  }

  private static List<String> fieldNames(Object o) {
    return fields(o).stream().map(Field::getName).toList();
  }

  private static List<String> equalFields(Object a, Object b) {
    List<String> out = new ArrayList<>();
    for (Field f : fields(a)) {
      if (Objects.equals(get(f, a), get(f, b))) {
        out.add(f.getName());
      }
    }
    return out;
  }

  private static @Nullable Object get(Field f, Object o) {
    try {
      return f.get(o);
    } catch (IllegalAccessException e) {
      throw new AssertionError(f.getName(), e);
    }
  }
}
