/**
 * {@code bulwark demo}: runs the shop under the users' load through a game day, shows it live,
 * judges the users' SLOs and the shop's invariants, and compares resilience on and off.
 */
@NullMarked
package io.bulwark.examples.shop.demo;

import org.jspecify.annotations.NullMarked;
