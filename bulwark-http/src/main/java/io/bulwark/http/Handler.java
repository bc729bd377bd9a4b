package io.bulwark.http;

/**
 * Serves one route. Runs on a virtual thread with the request's {@link
 * io.bulwark.core.context.Context} bound, so it may block (call other services, a database) freely.
 * Throw {@link HttpProblem} to answer with a chosen 4xx/5xx; any other exception becomes a 500
 * whose body says nothing about the failure beyond the correlation id.
 */
@FunctionalInterface
public interface Handler {
  Response handle(Request request) throws Exception;
}
