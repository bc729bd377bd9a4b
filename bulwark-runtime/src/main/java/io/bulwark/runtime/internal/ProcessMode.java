package io.bulwark.runtime.internal;

import io.bulwark.runtime.ServiceSpec;
import io.bulwark.runtime.SystemModel;

/** What process mode needs of a model. */
final class ProcessMode {
  private ProcessMode() {}

  /** Every service must name its factory by class: a child JVM loads it by that name. */
  static void check(SystemModel model) {
    if (!Boolean.getBoolean("bulwark.runtime.processMode.preview")) {
      throw new UnsupportedOperationException("process mode is being built on branch i18-sys");
    }
    for (ServiceSpec s : model.services()) {
      if (s.factoryClass().isEmpty()) {
        throw new IllegalArgumentException(
            "system "
                + model.name()
                + ": service "
                + s.name()
                + " has no factory class; process mode needs ServiceSpec.builder(name,"
                + " factoryClass) (a factory: class in a system file)");
      }
    }
  }
}
