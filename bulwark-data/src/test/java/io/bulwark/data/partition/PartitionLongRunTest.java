package io.bulwark.data.partition;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The long proof: the same property checks as the per-algorithm tests, swept over memberships of 3
 * to 1,000 nodes and many seeds instead of a few random tries. Off by default (minutes on two
 * cores); run with {@code -Dbulwark.data.longRun=true -Dtest=PartitionLongRunTest}.
 */
@EnabledIfSystemProperty(named = "bulwark.data.longRun", matches = "true")
class PartitionLongRunTest {
  private static final int[] SIZES = {3, 4, 5, 7, 10, 16, 31, 64, 100, 250, 500, 1000};
  private static final int SEEDS = Integer.getInteger("bulwark.data.longRun.seeds", 8);

  @Test
  void ringSweep() {
    RingPropertiesTest t = new RingPropertiesTest();
    for (int n : SIZES) {
      for (long seed = 0; seed < SEEDS; seed++) {
        t.largestShareIsWithinTheVirtualNodeBound(n, 20 + (int) (seed * 50), seed);
        t.aJoinMovesKeysOnlyToTheJoinerAndAboutItsShare(n, seed);
        t.aLeaveMovesExactlyTheLeaversKeys(n, (int) seed * 7, seed);
        if (n <= 200) {
          t.weightsAreHonouredWithinTheVirtualNodeTolerance(n, seed);
        }
      }
    }
  }

  @Test
  void jumpSweep() {
    JumpPropertiesTest t = new JumpPropertiesTest();
    for (int n : SIZES) {
      for (long seed = 0; seed < SEEDS; seed++) {
        t.loadIsBinomiallyBalanced(n, seed);
        t.loadStaysBalancedAcrossTombstones(Math.max(4, n), (int) seed + 1, seed);
        t.aJoinMovesKeysOnlyToTheJoinerAndAboutOneInNPlusOne(n, seed);
        t.anyNodeCanLeaveAndOnlyItsKeysMove(n, (int) seed * 7, seed);
        t.everyStepOfAMembershipRunIsMinimal(Math.min(n, 60), seed);
      }
    }
  }

  @Test
  void rendezvousSweep() {
    RendezvousPropertiesTest t = new RendezvousPropertiesTest();
    for (int n : SIZES) {
      for (long seed = 0; seed < SEEDS; seed++) {
        t.loadIsBinomiallyBalanced(n, seed);
        t.aJoinMovesKeysOnlyToTheJoiner(n, seed);
        t.aLeaveChangesEveryTopKListOnlyByTheLeaver(n, (int) seed * 7, 3, seed);
        if (n <= 200) {
          t.weightsAreHonouredExactlyUpToSamplingNoise(n, seed);
        }
      }
    }
  }

  @Test
  void maglevSweep() {
    MaglevPropertiesTest t = new MaglevPropertiesTest();
    for (int n : SIZES) {
      for (long seed = 0; seed < SEEDS; seed++) {
        t.equalWeightsGetSlotCountsWithinOne(n, (int) (seed % 4), seed);
        t.aLeaveMovesTheLeaversKeysAndLittleElse(n, (int) seed * 7, seed);
        t.aJoinTakesAboutItsShareAndDisruptsLittle(n, seed);
        if (n <= 300) {
          t.weightedSlotCountsFollowTheWeights(n, seed);
        }
      }
    }
  }

  @Test
  void boundedLoadSweep() {
    BoundedLoadTest t = new BoundedLoadTest();
    for (String algorithm : new String[] {"ring", "jump", "rendezvous", "maglev"}) {
      for (int n : new int[] {3, 10, 50, 200, 1000}) {
        for (long seed = 0; seed < SEEDS; seed++) {
          t.capIsNeverExceededAndEachKeyTakesItsFirstChoiceWithRoom(
              algorithm, n, 1.01 + seed * 0.25, 3000, seed % 2 == 0, seed);
        }
      }
    }
  }
}
