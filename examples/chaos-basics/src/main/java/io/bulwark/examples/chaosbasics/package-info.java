/**
 * Chaos basics: {@link io.bulwark.examples.chaosbasics.PriceServices} (two services on loopback)
 * and {@link io.bulwark.examples.chaosbasics.PriceExperiment} (the experiment judged on them).
 */
@NullMarked
package io.bulwark.examples.chaosbasics;

import org.jspecify.annotations.NullMarked;
