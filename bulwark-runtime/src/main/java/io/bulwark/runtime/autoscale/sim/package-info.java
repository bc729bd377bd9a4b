/**
 * A simulator that grades {@link io.bulwark.runtime.autoscale.ScalingPolicy autoscaling policies}
 * under virtual time: shaped {@link io.bulwark.runtime.autoscale.sim.TrafficShape traffic}, a
 * {@link io.bulwark.runtime.autoscale.sim.CapacityModel capacity model} with an instance start-up
 * delay, and an oracle that knows the future. See docs/runtime.md, "Autoscaling".
 */
@NullMarked
package io.bulwark.runtime.autoscale.sim;

import org.jspecify.annotations.NullMarked;
