/**
 * Workload identity: the name a service proves with its certificate under mutual TLS ({@link
 * io.bulwark.core.identity.WorkloadIdentity}, a SPIFFE ID), shared by the servers that check a
 * caller, the clients that check a server and the CA that issues the certificates.
 */
@NullMarked
package io.bulwark.core.identity;

import org.jspecify.annotations.NullMarked;
