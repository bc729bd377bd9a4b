package io.bulwark.http.internal;

import org.jspecify.annotations.Nullable;

/** What knows the address of a request's peer: the server's exchange. */
public interface PeerAddress {
  /** The peer's IP address, or null if unknown. */
  @Nullable String remoteHost();

  /**
   * The workload the peer's verified client certificate names (mutual TLS), or null without one.
   */
  io.bulwark.core.identity.@Nullable WorkloadIdentity peerIdentity();
}
