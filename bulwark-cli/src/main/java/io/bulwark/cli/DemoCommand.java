package io.bulwark.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code bulwark demo}: the reference shop, dashboard and game day, once they are built. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Run the reference shop with its dashboard and a game day (not built yet).")
final class DemoCommand implements Callable<Integer> {
  /** Exit code for "this command exists but what it runs is not built yet". */
  static final int NOT_BUILT = 3;

  @Spec CommandSpec spec;

  DemoCommand() {
    this.spec = CommandSpec.create();
  }

  @Override
  public Integer call() {
    spec.commandLine()
        .getErr()
        .println(
            "bulwark demo: not built yet. The reference shop (examples/shop), its dashboard and the"
                + " game day land with the reference-system work; see README.md for what exists"
                + " today.");
    return NOT_BUILT;
  }
}
