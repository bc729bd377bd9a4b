/**
 * Bulwark's zero-trust building blocks: a workload CA that issues each service a short-lived
 * certificate naming it by a SPIFFE ID, which bulwark-http's servers require of their callers
 * (mutual TLS and an authorization policy) and its clients require of the servers they call. See
 * docs/security.md.
 */
module io.bulwark.security {
  requires transitive io.bulwark.core;
  requires static transitive org.jspecify;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;

  exports io.bulwark.security;
}
