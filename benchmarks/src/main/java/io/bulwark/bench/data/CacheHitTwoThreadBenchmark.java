package io.bulwark.bench.data;

import org.openjdk.jmh.annotations.Threads;

/** {@link CacheHitBenchmark} with 2 benchmark threads sharing the caches. */
@Threads(2)
public class CacheHitTwoThreadBenchmark extends CacheHitBenchmark {}
