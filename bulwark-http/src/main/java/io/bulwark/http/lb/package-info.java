/** Load balancers: round robin, P2C least-request, peak-EWMA P2C, ring hash and Maglev. */
@NullMarked
package io.bulwark.http.lb;

import org.jspecify.annotations.NullMarked;
