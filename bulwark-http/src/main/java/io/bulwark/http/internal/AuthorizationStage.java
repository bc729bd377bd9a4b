package io.bulwark.http.internal;

import io.bulwark.core.identity.WorkloadIdentity;
import io.bulwark.http.AuthorizationPolicy;
import io.bulwark.http.RequestOutcome;

/**
 * Zero trust between services: lets a request through only if the server's {@link
 * AuthorizationPolicy} allows its caller (the workload its verified client certificate names) on
 * the matched route and method; else 403, before the body is read. A request no route matched
 * passes on (to its 404 or 405) only if its caller is allowed somewhere. Present in the chain only
 * when the server has a policy.
 */
final class AuthorizationStage implements Stage {
  private final AuthorizationPolicy policy;

  AuthorizationStage(AuthorizationPolicy policy) {
    this.policy = policy;
  }

  @Override
  public boolean pass(Exchange ex) {
    WorkloadIdentity peer = ex.peerIdentity();
    if (peer == null) {
      ex.refuseUnread(Problems.peerUnidentified(), RequestOutcome.REJECTED);
      return false;
    }
    RouteTable.Match match = ex.match;
    String method = ex.req.method().name();
    if (match == null) {
      if (policy.allowsAnything(peer)) {
        return true;
      }
      ex.refuseUnread(Problems.peerNotAllowed(peer, method, null), RequestOutcome.REJECTED);
      return false;
    }
    if (policy.allowing(peer, method, match.template()) == null) {
      ex.refuseUnread(
          Problems.peerNotAllowed(peer, method, match.template()), RequestOutcome.REJECTED);
      return false;
    }
    return true;
  }
}
