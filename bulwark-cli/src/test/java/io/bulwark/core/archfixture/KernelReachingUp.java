package io.bulwark.core.archfixture;

import io.bulwark.cli.BulwarkCli;

/**
 * A deliberate layering violation (test fixture only): a class in the kernel's packages that calls
 * into the tools layer. {@code LayeringTest} proves the rule reports it.
 */
public final class KernelReachingUp {
  private KernelReachingUp() {}

  public static int runTheCliFromTheKernel() {
    return BulwarkCli.run("--version");
  }
}
