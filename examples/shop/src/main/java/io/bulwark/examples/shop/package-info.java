/**
 * The reference shop's entry points: {@link io.bulwark.examples.shop.Shop} starts the services on a
 * {@link io.bulwark.runtime.SystemRuntime}; each service lives in a package of its own.
 */
@NullMarked
package io.bulwark.examples.shop;

import org.jspecify.annotations.NullMarked;
