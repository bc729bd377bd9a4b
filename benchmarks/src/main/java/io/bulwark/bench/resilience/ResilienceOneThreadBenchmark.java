package io.bulwark.bench.resilience;

import org.openjdk.jmh.annotations.Threads;

/** {@link ResiliencePoliciesBenchmark} with 1 benchmark thread. */
@Threads(1)
public class ResilienceOneThreadBenchmark extends ResiliencePoliciesBenchmark {}
