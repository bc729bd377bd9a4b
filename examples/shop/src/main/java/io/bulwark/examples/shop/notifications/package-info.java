/** The shop's notifications service: see {@code docs/shop.md}. */
@NullMarked
package io.bulwark.examples.shop.notifications;

import org.jspecify.annotations.NullMarked;
