package io.bulwark.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private final ConfigLoader loader = ConfigLoader.withEnv(Map.of("RETRIES", "7", "EMPTY", ""));

  @Test
  void bindsEveryTypeIntoTheBuilder() {
    SampleRetryConfig config =
        loader.parse(
            """
            max-attempts: 5
            backoff: 250ms
            jitter: 0.25
            enabled: false
            mode: decorrelated
            retry-on: [io, timeout]
            """,
            "retry.yaml",
            SampleRetryConfig::bind);

    assertThat(config)
        .isEqualTo(
            new SampleRetryConfig(
                5,
                Duration.ofMillis(250),
                0.25,
                false,
                SampleRetryConfig.Mode.DECORRELATED,
                List.of("io", "timeout")));
  }

  @Test
  void substitutesEnvironmentVariablesWithDefaults() {
    SampleRetryConfig config =
        loader.parse(
            """
            max-attempts: ${RETRIES}
            backoff: ${BACKOFF:-2s}
            retry-on: "lit$${eral}"
            """,
            "env.yaml",
            SampleRetryConfig::bind);
    assertThat(config.maxAttempts()).isEqualTo(7);
    assertThat(config.backoff()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.retryOn()).containsExactly("lit${eral}");
  }

  @Test
  void reportsUnknownKeysWithFileLineAndField() {
    assertThatThrownBy(
            () ->
                loader.parse(
                    """
                    max-attempts: 2
                    max-atempts: 3
                    """,
                    "conf/retry.yaml",
                    SampleRetryConfig::bind))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("conf/retry.yaml:2: max-atempts: unknown key")
        .hasMessageContaining("known here:")
        .hasMessageContaining("max-attempts");
  }

  @Test
  void rejectsACamelCaseKeyNamingTheKebabCaseKeyFileAndLine() {
    ConfigException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ConfigException.class,
            () ->
                loader.parse(
                    """
                    pipelines:
                      orders:
                        retry:
                          maxAttempts: 4
                    """,
                    "conf/p.yaml",
                    SampleRetryConfig::bindPipelines));
    assertThat(e.problems())
        .extracting(ConfigProblem::toString)
        .containsExactly(
            "conf/p.yaml:4: pipelines.orders.retry.maxAttempts: keys are kebab-case: write"
                + " \"max-attempts\" instead of \"maxAttempts\"");
  }

  @Test
  void aCamelCaseKeyWithNoKebabCaseTwinAlsoListsTheKnownKeys() {
    assertThatThrownBy(() -> loader.parse("retryOff: [io]\n", "r.yaml", SampleRetryConfig::bind))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("r.yaml:1: retryOff: keys are kebab-case: write \"retry-off\"")
        .hasMessageContaining("known here: backoff, enabled, jitter, max-attempts, mode, retry-on");
  }

  @Test
  void kebabCaseSpellsEveryCamelCaseShape() {
    assertThat(ConfigReader.kebabCase("maxAttempts")).isEqualTo("max-attempts");
    assertThat(ConfigReader.kebabCase("maxWaitInHalfOpen")).isEqualTo("max-wait-in-half-open");
    assertThat(ConfigReader.kebabCase("maxRPS")).isEqualTo("max-rps");
    assertThat(ConfigReader.kebabCase("HTTPPort")).isEqualTo("http-port");
    assertThat(ConfigReader.kebabCase("retry_on")).isEqualTo("retry-on");
    assertThat(ConfigReader.kebabCase("p99Latency")).isEqualTo("p99-latency");
    assertThat(ConfigReader.kebabCase("already-kebab")).isEqualTo("already-kebab");
  }

  @Test
  void namesOfNamedSectionsKeepTheirCase() {
    assertThat(
            loader
                .parse(
                    "pipelines:\n  paymentService:\n    retry: {max-attempts: 2}\n",
                    "n.yaml",
                    SampleRetryConfig::bindPipelines)
                .get("paymentService")
                .maxAttempts())
        .isEqualTo(2);
  }

  @Test
  void reportsWrongTypesAndOutOfRangeValuesAllAtOnce() {
    ConfigException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ConfigException.class,
            () ->
                loader.parse(
                    """
                    # a comment line
                    max-attempts: three
                    backoff: -5ms
                    jitter: 1.5
                    enabled: yes
                    mode: [full]
                    retry-on: {a: b}
                    """,
                    "bad.yaml",
                    SampleRetryConfig::bind));

    assertThat(e.problems())
        .extracting(ConfigProblem::toString)
        .containsExactly(
            "bad.yaml:2: max-attempts: expected an integer, got \"three\"",
            "bad.yaml:3: backoff: expected a duration such as 250ms, 2s, 1.5m, 1h, 3d or PT0.5S, got \"-5ms\"",
            "bad.yaml:4: jitter: jitter must be between 0 and 1, was 1.5",
            "bad.yaml:5: enabled: expected true or false, got \"yes\"",
            "bad.yaml:6: mode: expected one of full_jitter, decorrelated, got a list",
            "bad.yaml:7: retry-on[0]: expected a string, got a map");
  }

  @Test
  void valuesRejectedByTheBuilderCarryItsMessage() {
    assertThatThrownBy(() -> loader.parse("max-attempts: 0\n", "r.yaml", SampleRetryConfig::bind))
        .hasMessage(
            "invalid config: r.yaml:1: max-attempts: maxAttempts must be between 1 and 100, was 0");
  }

  @Test
  void nestedSectionsReportTheirFullPath() {
    assertThatThrownBy(
            () ->
                loader.parse(
                    """
                    pipelines:
                      orders:
                        retry:
                          max-attempts: 500
                      payments:
                        timeout: 2s
                    """,
                    "pipelines.yaml",
                    SampleRetryConfig::bindPipelines))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "pipelines.yaml:4: pipelines.orders.retry.max-attempts: maxAttempts must be between 1 and 100, was 500")
        .hasMessageContaining("pipelines.yaml:6: pipelines.payments.retry: is required")
        .hasMessageContaining("pipelines.yaml:6: pipelines.payments.timeout: unknown key");
  }

  @Test
  void namedSectionsBindInFileOrder() {
    Map<String, SampleRetryConfig> pipelines =
        loader.parse(
            """
            pipelines:
              b: {retry: {max-attempts: 2}}
              a: {retry: {max-attempts: 4}}
            """,
            "p.yaml",
            SampleRetryConfig::bindPipelines);
    assertThat(pipelines.keySet()).containsExactly("b", "a");
    assertThat(pipelines.get("a").maxAttempts()).isEqualTo(4);
  }

  @Test
  void unsetVariableWithoutDefaultIsAProblemAtItsLine() {
    assertThatThrownBy(
            () ->
                loader.parse(
                    "enabled: true\nbackoff: ${NOPE}\n", "e.yaml", SampleRetryConfig::bind))
        .hasMessageContaining("e.yaml:2: backoff: environment variable NOPE is not set");
  }

  @Test
  void nestedDuplicateKeyAndUnsetVariableNameTheFullFieldPath() {
    assertThatThrownBy(
            () ->
                loader.parse(
                    """
                    pipelines:
                      a:
                        retry: {max-attempts: 2,
                                max-attempts: 3}
                      b:
                        retry: {max-attempts: "${NOPE}"}
                    """,
                    "n.yaml",
                    SampleRetryConfig::bindPipelines))
        .hasMessageContaining("n.yaml:4: pipelines.a.retry.max-attempts: duplicate key")
        .hasMessageContaining(
            "n.yaml:6: pipelines.b.retry.max-attempts: environment variable NOPE is not set");
  }

  @Test
  void unsetVariableInAListNamesTheItem() {
    assertThatThrownBy(() -> loader.parse("tags: [a, \"${NOPE}\"]\n", "t.yaml", r -> r.path()))
        .hasMessageContaining("t.yaml:1: tags[1]: environment variable NOPE is not set");
  }

  @Test
  void syntaxErrorsAndDuplicateKeysAndNonMapDocumentsAreReported() {
    assertThatThrownBy(
            () -> loader.parse("max-attempts: [1, 2\n", "s.yaml", SampleRetryConfig::bind))
        .hasMessageContaining("s.yaml:")
        .hasMessageContaining("YAML syntax error");
    assertThatThrownBy(
            () -> loader.parse("jitter: 0.1\njitter: 0.2\n", "d.yaml", SampleRetryConfig::bind))
        .hasMessageContaining("d.yaml:2: jitter: duplicate key");
    assertThatThrownBy(() -> loader.parse("- a\n- b\n", "l.yaml", SampleRetryConfig::bind))
        .hasMessageContaining("l.yaml:1: the document must be a map, got a list");
  }

  @Test
  void loadsFromAFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("retry.yaml");
    Files.writeString(file, "max-attempts: 4\n");
    assertThat(loader.load(file, SampleRetryConfig::bind).maxAttempts()).isEqualTo(4);

    Files.writeString(file, "max-attempts: 4\nbogus: 1\n");
    assertThatThrownBy(() -> loader.load(file, SampleRetryConfig::bind))
        .hasMessageContaining(file + ":2: bogus: unknown key");
    assertThatThrownBy(() -> loader.load(dir.resolve("missing.yaml"), SampleRetryConfig::bind))
        .hasMessageContaining("missing.yaml: cannot read file");
  }

  @Test
  void emptyDocumentBindsDefaults() {
    assertThat(loader.parse("", "empty.yaml", SampleRetryConfig::bind).maxAttempts()).isEqualTo(3);
  }
}
