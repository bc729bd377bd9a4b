/**
 * Game days: named {@link io.bulwark.examples.shop.gameday.Scenario scenarios} of faults injected
 * at fixed fractions of a run through the runtime's instance handles, announced as they happen.
 */
@NullMarked
package io.bulwark.examples.shop.gameday;

import org.jspecify.annotations.NullMarked;
