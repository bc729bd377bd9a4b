package io.bulwark.runtime.internal;

import io.bulwark.runtime.ServiceSpec;
import io.bulwark.runtime.SystemModel;

/** What process mode needs of a model. */
final class ProcessMode {
  private ProcessMode() {}

  /**
   * Every service that runs in child JVMs must name its factory by class: a child JVM loads it by
   * that name.
   */
  static void check(SystemModel model) {
    for (ServiceSpec s : model.services()) {
      if (s.factoryClass().isEmpty() && !s.inParentJvm()) {
        throw new IllegalArgumentException(
            "system "
                + model.name()
                + ": service "
                + s.name()
                + " has no factory class; process mode needs ServiceSpec.builder(name,"
                + " factoryClass) (a factory: class in a system file), or"
                + " ServiceSpec.Builder.inParentJvm()");
      }
    }
  }
}
