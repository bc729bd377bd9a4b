/**
 * Workload identity: {@link io.bulwark.security.WorkloadCa} issues {@link
 * io.bulwark.security.WorkloadCertificate}s.
 */
@NullMarked
package io.bulwark.security;

import org.jspecify.annotations.NullMarked;
