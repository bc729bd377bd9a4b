package io.bulwark.bench.data;

import org.openjdk.jmh.annotations.Threads;

/** {@link CacheHitBenchmark} with 1 benchmark thread. */
@Threads(1)
public class CacheHitOneThreadBenchmark extends CacheHitBenchmark {}
