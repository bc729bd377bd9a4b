/**
 * What the shop's services share: SQLite access, JSON, the HTTP clients built from the shop's YAML,
 * the product file and the shared event log. Not exported.
 */
@NullMarked
package io.bulwark.examples.shop.common;

import org.jspecify.annotations.NullMarked;
