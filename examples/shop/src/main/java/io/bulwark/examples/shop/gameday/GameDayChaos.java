package io.bulwark.examples.shop.gameday;

import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.InstanceKiller;
import java.util.Objects;

/**
 * What a game day's chaos steps act through: the chaos controller (faults with a blast radius,
 * always expiring) and the runtime's instance-kill SPI.
 *
 * @param chaos the enabled controller; the game day's owner closes it (clearing every fault)
 * @param killer kills an instance as a crash would
 */
public record GameDayChaos(Chaos chaos, InstanceKiller killer) {
  public GameDayChaos {
    Objects.requireNonNull(chaos, "chaos");
    Objects.requireNonNull(killer, "killer");
  }
}
