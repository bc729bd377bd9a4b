package io.bulwark.bench.resilience;

import org.openjdk.jmh.annotations.Threads;

/** {@link ResiliencePoliciesBenchmark} with 2 benchmark threads. */
@Threads(2)
public class ResilienceTwoThreadBenchmark extends ResiliencePoliciesBenchmark {}
