/** Load-balancer implementations: not exported. */
@NullMarked
package io.bulwark.http.internal.balance;

import org.jspecify.annotations.NullMarked;
