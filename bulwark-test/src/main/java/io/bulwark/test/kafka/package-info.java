/**
 * A real single-node Apache Kafka broker for tests, in a child JVM. The broker's jars are optional
 * dependencies of {@code bulwark-test}: a module whose tests use it declares {@code
 * org.apache.kafka:kafka_2.13} (which brings {@code kafka-clients}) in test scope.
 */
@NullMarked
package io.bulwark.test.kafka;

import org.jspecify.annotations.NullMarked;
