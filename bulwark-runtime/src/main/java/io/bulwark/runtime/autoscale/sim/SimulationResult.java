package io.bulwark.runtime.autoscale.sim;

/**
 * The grade of one policy on one traffic shape.
 *
 * @param policy the policy's name ({@code oracle} for the lower bound)
 * @param shape the traffic shape's name
 * @param sloMinutes simulated minutes during which the SLO was violated
 * @param instanceMinutes instance-minutes used (starting instances included)
 * @param decisions decisions that changed the instance count
 * @param peakInstances the most instances at once
 */
public record SimulationResult(
    String policy,
    String shape,
    double sloMinutes,
    double instanceMinutes,
    int decisions,
    int peakInstances) {}
