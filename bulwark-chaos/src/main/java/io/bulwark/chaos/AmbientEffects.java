package io.bulwark.chaos;

import io.bulwark.chaos.resource.CpuBurn;
import io.bulwark.chaos.resource.MemoryBallast;
import java.util.Map;

/** The built-in {@link AmbientEffect}s: CPU burn and memory ballast. */
final class AmbientEffects {
  private AmbientEffects() {}

  static Map<Class<? extends Fault>, AmbientEffect> builtIn() {
    return Map.of(
        Fault.CpuBurn.class,
        (fault, duration, scheduler) ->
            CpuBurn.start(((Fault.CpuBurn) fault).threads(), duration, scheduler),
        Fault.MemoryBallast.class,
        (fault, duration, scheduler) ->
            MemoryBallast.hold(((Fault.MemoryBallast) fault).bytes(), duration, scheduler));
  }
}
