/**
 * The shop's users: an open-loop load generator with a seeded, realistic mix of requests and
 * latency recorded without coordinated omission. It is the users, so it never uses a Bulwark
 * resilience policy: plain JDK HTTP calls with a per-request timeout.
 */
@NullMarked
package io.bulwark.examples.shop.load;

import org.jspecify.annotations.NullMarked;
