package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Process mode launches the child JVMs of one dependency level together and keeps dependency order
 * between levels. Proof without timing: {@code a} and {@code b} (no dependencies) each wait, inside
 * their child JVM, for a marker the parent writes when it sees the other one begin to start;
 * started one after another, the first would never turn ready. {@code c} depends on both, so it
 * begins only after both are ready.
 */
class ParallelChildStartTest {
  @TempDir Path root;

  @Test
  void childrenOfOneLevelStartTogetherAndADependentWaitsForThemAll() throws Exception {
    Path markers = Files.createDirectories(root.resolve("markers"));
    SystemModel model =
        SystemModel.builder("parallel")
            .service(gated("a", markers.resolve("b-starting")).build())
            .service(gated("b", markers.resolve("a-starting")).build())
            .service(
                ServiceSpec.builder("c", MarkerGateFactory.class.getName())
                    .dependsOn("a")
                    .dependsOn("b")
                    .build())
            .build();
    try (SystemRuntime rt =
        SystemRuntime.processes(
            model,
            RuntimeOptions.builder(root.resolve("rt"))
                .readinessTimeout(Duration.ofSeconds(60))
                .build())) {
      rt.addListener(
          new RuntimeListener() {
            @Override
            public void onEvent(RuntimeEvent e) {
              if (e.kind() == RuntimeEvent.Kind.STARTING) {
                touch(markers.resolve(e.service() + "-starting"));
              }
            }
          });
      rt.start();

      assertThat(List.of("a-1", "b-1", "c-1"))
          .allSatisfy(id -> assertThat(rt.instance(id).state()).isEqualTo(InstanceState.READY));
      List<String> order =
          rt.events().stream()
              .filter(
                  e ->
                      e.kind() == RuntimeEvent.Kind.STARTING || e.kind() == RuntimeEvent.Kind.READY)
              .map(e -> e.kind() + " " + e.instance())
              .toList();
      assertThat(order.subList(0, 2))
          .as("a and b both begin before either is ready")
          .containsExactlyInAnyOrder("STARTING a-1", "STARTING b-1");
      assertThat(order.subList(2, 4)).containsExactlyInAnyOrder("READY a-1", "READY b-1");
      assertThat(order.subList(4, 6)).containsExactly("STARTING c-1", "READY c-1");
    }
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
  }

  private static ServiceSpec.Builder gated(String name, Path await) {
    return ServiceSpec.builder(name, MarkerGateFactory.class.getName())
        .setting("await", await.toString());
  }

  private static void touch(Path marker) {
    try {
      Files.writeString(marker, "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
