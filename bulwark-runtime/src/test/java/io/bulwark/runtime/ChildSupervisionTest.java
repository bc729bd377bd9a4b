package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Process mode's supervision: crashed children come back; children never outlive the parent. */
class ChildSupervisionTest {
  @TempDir Path root;

  @Test
  void aChildKilledFromOutsideIsRestartedWithANewProcessAndASecondDeathWaitsTwiceAsLong()
      throws Exception {
    SystemModel model =
        SystemModel.builder("s")
            .service(ServiceSpec.builder("solo", NodeFactory.class.getName()).build())
            .build();
    try (SystemRuntime rt =
        SystemRuntime.processes(
            model,
            RuntimeOptions.builder(root)
                .restartBackoff(Duration.ofMillis(50))
                .maxRestartBackoff(Duration.ofMinutes(5)) // no reset between the two deaths
                .build())) {
      rt.start();
      ProcessHandle first = ProcessHandle.current().children().findFirst().orElseThrow();
      CompletableFuture<RuntimeEvent> restarted = new CompletableFuture<>();
      CompletableFuture<RuntimeEvent> restartedAgain = new CompletableFuture<>();
      rt.addListener(
          new RuntimeListener() {
            @Override
            public void onEvent(RuntimeEvent e) {
              if (e.kind() == RuntimeEvent.Kind.READY && !restarted.complete(e)) {
                restartedAgain.complete(e);
              }
            }
          });
      first.destroyForcibly(); // not through the runtime: an unexpected exit

      restarted.get(60, TimeUnit.SECONDS);
      assertThat(rt.instance("solo-1").state()).isEqualTo(InstanceState.READY);
      assertThat(first.isAlive()).isFalse();
      assertThat(ProcessHandle.current().children().map(ProcessHandle::pid))
          .hasSize(1)
          .doesNotContain(first.pid());
      assertThat(rt.events())
          .extracting(RuntimeEvent::detail)
          .anySatisfy(d -> assertThat(d).startsWith("child exited on its own"))
          .anySatisfy(d -> assertThat(d).startsWith("restart #1 in 50 ms"));

      ProcessHandle second = ProcessHandle.current().children().findFirst().orElseThrow();
      second.destroyForcibly(); // the second death in a row: twice the delay
      RuntimeEvent back = restartedAgain.get(60, TimeUnit.SECONDS);
      List<RuntimeEvent> crashes =
          rt.events().stream().filter(e -> e.kind() == RuntimeEvent.Kind.CRASHED).toList();
      assertThat(crashes)
          .extracting(RuntimeEvent::detail)
          .containsExactly("restart #1 in 50 ms", "restart #2 in 100 ms");
      assertThat(back.atMillis() - crashes.get(1).atMillis()).isGreaterThanOrEqualTo(100);
      assertThat(rt.instance("solo-1").state()).isEqualTo(InstanceState.READY);
      assertThat(second.isAlive()).isFalse();
    }
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
  }

  @Test
  void childrenExitWhenTheirParentIsSigkilled() throws Exception {
    Process parent =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElseThrow(),
                "-cp",
                System.getProperty("java.class.path"),
                ParentMain.class.getName(),
                root.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    List<ProcessHandle> children = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (children.isEmpty() && (line = in.readLine()) != null) {
        if (line.startsWith("CHILD ")) {
          children.add(ProcessHandle.of(Long.parseLong(line.substring(6))).orElseThrow());
        }
      }
      assertThat(children).as("the parent reported its child").isNotEmpty();
      assertThat(children.getFirst().isAlive()).isTrue();

      parent.destroyForcibly(); // SIGKILL: no shutdown hook runs
      assertThat(parent.waitFor(30, TimeUnit.SECONDS)).isTrue();

      // the child notices (stdin EOF / parent exit) and exits on its own
      children.getFirst().onExit().get(30, TimeUnit.SECONDS);
      assertThat(children.getFirst().isAlive()).isFalse();
    } finally {
      parent.destroyForcibly();
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }
}
