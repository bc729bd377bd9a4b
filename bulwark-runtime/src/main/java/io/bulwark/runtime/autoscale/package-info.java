/**
 * Autoscaling: one SPI ({@link io.bulwark.runtime.autoscale.ScalingPolicy}) of pure decision
 * functions over a recorded {@link io.bulwark.runtime.autoscale.History} of {@link
 * io.bulwark.runtime.autoscale.LoadSample samples}, four policies (target tracking, Knative-style
 * concurrency with panic, consumer-lag scaling, predictive), and the {@link
 * io.bulwark.runtime.autoscale.Autoscaler} loop that runs one policy for one service on a scheduler
 * and records every {@link io.bulwark.runtime.autoscale.ScalingDecision}. See docs/runtime.md,
 * "Autoscaling".
 */
@NullMarked
package io.bulwark.runtime.autoscale;

import org.jspecify.annotations.NullMarked;
