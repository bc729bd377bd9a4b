package io.bulwark.chaos.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.deser.std.FromStringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.bulwark.chaos.experiment.ExperimentResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Writes a run's {@link ExperimentResult} as JSON (every field, readable back with {@link
 * #readJson}) and as one self-contained HTML page: verdict, checks, error budget spent, and a
 * timeline of latency, error rate, faults and watched states (e.g. circuit breakers) drawn as
 * inline SVG — no script, no stylesheet or font from elsewhere, readable offline.
 */
public final class ExperimentReport {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(
              new SimpleModule("instants")
                  .addSerializer(Instant.class, ToStringSerializer.instance)
                  .addDeserializer(
                      Instant.class,
                      new FromStringDeserializer<>(Instant.class) {
                        @Override
                        protected Instant _deserialize(String value, DeserializationContext ctx) {
                          return Instant.parse(value);
                        }
                      }))
          .enable(SerializationFeature.INDENT_OUTPUT);

  private ExperimentReport() {}

  /** The result as JSON. */
  public static String json(ExperimentResult result) {
    try {
      return JSON.writeValueAsString(result);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the result of " + result.experiment(), e);
    }
  }

  /** Reads a result written by {@link #json}. */
  public static ExperimentResult readJson(String json) {
    try {
      return JSON.readValue(json, ExperimentResult.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not an experiment result: " + e.getOriginalMessage(), e);
    }
  }

  /** The self-contained HTML report. */
  public static String html(ExperimentResult result) {
    return HtmlReport.render(result);
  }

  /**
   * Writes {@code NAME.json} and {@code NAME.html} into {@code dir} (created if needed).
   *
   * @return the two files, JSON first
   */
  public static List<Path> write(ExperimentResult result, Path dir) throws IOException {
    return write(result, dir, result.experiment());
  }

  /** Writes {@code BASENAME.json} and {@code BASENAME.html} into {@code dir}. */
  public static List<Path> write(ExperimentResult result, Path dir, String baseName)
      throws IOException {
    if (!baseName.matches("[A-Za-z0-9_.-]{1,160}") || baseName.startsWith(".")) {
      throw new IllegalArgumentException(
          "report name must be letters, digits, _ . - and not start with '.', was \""
              + baseName
              + "\"");
    }
    Files.createDirectories(dir);
    Path json = dir.resolve(baseName + ".json");
    Path html = dir.resolve(baseName + ".html");
    Files.writeString(json, json(result), StandardCharsets.UTF_8);
    Files.writeString(html, html(result), StandardCharsets.UTF_8);
    return List.of(json, html);
  }
}
