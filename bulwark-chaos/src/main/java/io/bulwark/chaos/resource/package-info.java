/**
 * Resource faults: CPU burn and memory ballast, each bounded (threads by the processor count, bytes
 * by a fraction of the maximum heap, durations by an hour) and always expiring.
 */
@NullMarked
package io.bulwark.chaos.resource;

import org.jspecify.annotations.NullMarked;
