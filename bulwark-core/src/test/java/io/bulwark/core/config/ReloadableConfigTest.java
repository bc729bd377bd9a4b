package io.bulwark.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadableConfigTest {

  @Test
  void aValidReloadSwapsTheWholeSnapshotAndAnInvalidOneKeepsTheOld(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("retry.yaml");
    Files.writeString(file, "max-attempts: 2\nbackoff: 1s\n");
    List<SampleRetryConfig> changes = new ArrayList<>();
    List<ConfigException> errors = new ArrayList<>();
    try (ReloadableConfig<SampleRetryConfig> config =
        new ReloadableConfig<>(file, ConfigLoader.withEnv(Map.of()), SampleRetryConfig::bind)) {
      config.onChange(changes::add);
      config.onError(errors::add);
      SampleRetryConfig first = config.current();

      Files.writeString(file, "max-attempts: 5\nbackoff: 3s\n");
      assertThat(config.reload()).isTrue();
      assertThat(config.current().maxAttempts()).isEqualTo(5);
      assertThat(changes).containsExactly(config.current());

      SampleRetryConfig good = config.current();
      Files.writeString(file, "max-attempts: 0\n");
      assertThat(config.reload()).isFalse();
      assertThat(config.current()).isSameAs(good);
      assertThat(errors)
          .singleElement()
          .extracting(Throwable::getMessage)
          .asString()
          .contains("retry.yaml:1: max-attempts");
      assertThat(first.maxAttempts()).isEqualTo(2);
    }
  }
}
