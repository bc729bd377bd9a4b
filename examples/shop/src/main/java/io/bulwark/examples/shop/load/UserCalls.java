package io.bulwark.examples.shop.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.examples.shop.load.PlannedRequest.Call;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Performs one planned request the way a browser would: plain JDK HTTP, a timeout per call, no
 * retry. Every call says how long its user will wait: a {@code bulwark-deadline} of the timeout, so
 * the edge and the services shed what nobody waits for. Through the shop's edge ({@code tokens}
 * given), a request with a customer first gets the customer's token (logging in when it holds none)
 * and sends it on every call; a failed login fails the request like a failed call. Straight to the
 * services (no edge) a request with a customer sends it as {@value #CUSTOMER_HEADER}, as the
 * gateway would. A BFF page answered 200 is counted by BFF, and as partial when its {@code partial}
 * names a part. Classifies the outcome (2xx and 409 are answers the user can act on; 5xx, other
 * 4xx, connection failures and timeouts are errors) and records it from the intended start.
 */
final class UserCalls implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WEB_BFF = "web-bff";
  private static final String MOBILE_BFF = "mobile-bff";

  /** The header the gateway sets from the verified token (see {@code common/Customer}). */
  static final String CUSTOMER_HEADER = "x-customer-id";

  private final Duration timeout;
  private final String deadlineMillis;
  private final Function<String, URI> targets;
  private final LoadRecorder recorder;
  private final ExecutorService clientThreads = Executors.newVirtualThreadPerTaskExecutor();
  private final HttpClient client;
  private final @Nullable CustomerTokens tokens;

  /**
   * @param edge the shop's edge, where customers log in; null: calls go straight to the services
   *     and carry no token
   */
  UserCalls(
      Duration timeout, Function<String, URI> targets, LoadRecorder recorder, @Nullable URI edge) {
    this.timeout = timeout;
    this.deadlineMillis = Long.toString(timeout.toMillis());
    this.targets = targets;
    this.recorder = recorder;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .executor(clientThreads)
            .build();
    this.tokens = edge == null ? null : new CustomerTokens(client, edge, timeout);
  }

  /** One answer: a status and body, or status 0 when the call failed or timed out. */
  record Answer(int status, String body) {
    boolean ok() {
      return (status >= 200 && status < 300) || status == 409;
    }
  }

  void perform(PlannedRequest request, long intendedNanos) {
    String token = null;
    String customer = request.customer();
    CustomerTokens t = tokens;
    if (t != null && customer != null) {
      CustomerTokens.Login login = t.token(customer);
      if (!login.ok()) {
        Answer failed = new Answer(login.status(), login.body());
        recorder.record(request.kind(), System.nanoTime() - intendedNanos, true);
        recorder.errorCause(request.kind().label() + ": login " + cause(failed));
        if (request.kind() == RequestKind.CHECKOUT) {
          recorder.checkout("failed");
        }
        return;
      }
      token = login.token();
    }
    Authorization auth = new Authorization(customer, token);
    int last = request.calls().size() - 1;
    for (int i = 0; i < last; i++) {
      Call call = request.calls().get(i);
      Answer answer = send(call, auth);
      if (!answer.ok()) {
        finish(request.kind(), call.service(), intendedNanos, answer);
        if (request.kind() == RequestKind.CHECKOUT) {
          recorder.checkout("failed");
        }
        return;
      }
    }
    Call final_ = request.calls().get(last);
    if (request.doubleSubmit()) {
      submitTwice(request, final_, intendedNanos, auth);
    } else {
      Answer answer = send(final_, auth);
      finish(request.kind(), final_.service(), intendedNanos, answer);
      if (request.kind() == RequestKind.CHECKOUT) {
        recorder.checkout(checkoutOutcome(answer));
      }
    }
  }

  private void submitTwice(
      PlannedRequest request, Call call, long intendedNanos, Authorization auth) {
    recorder.checkout("doubleSubmits");
    CompletableFuture<Answer> second =
        CompletableFuture.supplyAsync(() -> send(call, auth), clientThreads);
    Answer first = send(call, auth);
    Answer other = second.join();
    finish(request.kind(), call.service(), intendedNanos, first);
    finish(request.kind(), call.service(), intendedNanos, other);
    String a = checkoutOutcome(first);
    String b = checkoutOutcome(other);
    recorder.checkout(
        a.equals("completed") || b.equals("completed")
            ? "completed"
            : a.equals("rejected") ? a : b);
    String idA = orderId(first);
    String idB = orderId(other);
    if (idA != null && idB != null && !idA.equals(idB)) {
      recorder.checkout("duplicateOrders");
    }
  }

  private void finish(RequestKind kind, String service, long intendedNanos, Answer answer) {
    recorder.record(kind, System.nanoTime() - intendedNanos, !answer.ok());
    if (!answer.ok()) {
      recorder.errorCause(kind.label() + ": " + cause(answer));
    }
    if (isPage(kind, service) && answer.status() == 200) {
      JsonNode page = parse(answer.body());
      recorder.page(service.equals(WEB_BFF), !page.path("partial").isEmpty());
      if (kind == RequestKind.PRODUCT && degraded(page)) {
        recorder.degradedPage();
      }
    }
  }

  /** A BFF's home or product page (a search goes to the catalog, not a BFF). */
  private static boolean isPage(RequestKind kind, String service) {
    return (kind == RequestKind.BROWSE || kind == RequestKind.PRODUCT)
        && (service.equals(WEB_BFF) || service.equals(MOBILE_BFF));
  }

  /**
   * What went wrong, short enough to count: status and error code (a shop service's {@code error},
   * else the last part of a gateway problem's {@code type}), or why there was no answer.
   */
  static String cause(Answer answer) {
    if (answer.status() == 0) {
      String body = answer.body();
      int colon = body.indexOf(':');
      String what = colon > 0 ? body.substring(0, colon) : body;
      return "no answer (" + what.substring(what.lastIndexOf('.') + 1) + ")";
    }
    JsonNode problem = parse(answer.body());
    StringBuilder cause = new StringBuilder().append(answer.status());
    String error = problem.path("error").asText("");
    if (error.isEmpty()) {
      // the gateway's own problems name their kind in a type URN (urn:bulwark:gateway:<kind>)
      String type = problem.path("type").asText("");
      error = type.substring(type.lastIndexOf(':') + 1);
    }
    if (!error.isEmpty()) {
      cause.append(' ').append(error);
    }
    String reason = problem.path("reason").asText("");
    if (!reason.isEmpty()) {
      cause.append(" (").append(reason, 0, Math.min(reason.length(), 100)).append(')');
    }
    return cause.toString();
  }

  private static String checkoutOutcome(Answer answer) {
    if (answer.status() == 200 || answer.status() == 201) {
      return "completed";
    }
    return answer.status() == 409 ? "rejected" : "failed";
  }

  private static @Nullable String orderId(Answer answer) {
    if (answer.status() != 200 && answer.status() != 201) {
      return null;
    }
    JsonNode id = parse(answer.body()).path("orderId");
    return id.isMissingNode() ? null : id.asText();
  }

  private static boolean degraded(JsonNode page) {
    return "popular".equals(page.path("recommendationsSource").asText());
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return JSON.missingNode();
    }
  }

  /** Who sends a call: the customer and its token, or nobody (anonymous, or no edge). */
  private record Authorization(@Nullable String customer, @Nullable String token) {}

  private Answer send(Call call, Authorization auth) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(targets.apply(call.service()).resolve(call.path()))
            .timeout(timeout)
            .header(ContextHeaders.DEADLINE, deadlineMillis); // the user's patience
    String body = call.body();
    if (body != null) {
      builder.header("content-type", "application/json");
      builder.method(call.method(), HttpRequest.BodyPublishers.ofString(body));
    } else {
      builder.method(call.method(), HttpRequest.BodyPublishers.noBody());
    }
    String key = call.idempotencyKey();
    if (key != null) {
      builder.header("Idempotency-Key", key);
    }
    String token = auth.token();
    String signedIn = auth.customer();
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    } else if (tokens == null && signedIn != null) {
      // straight to the services (no edge): the header the gateway would set from the token
      builder.header(CUSTOMER_HEADER, signedIn);
    }
    try {
      HttpResponse<String> response =
          client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      CustomerTokens t = tokens;
      String customer = auth.customer();
      if (response.statusCode() == 401 && t != null && customer != null && token != null) {
        t.rejected(customer, token);
      }
      return new Answer(response.statusCode(), response.body());
    } catch (IOException e) {
      return new Answer(0, String.valueOf(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(0, "interrupted");
    }
  }

  @Override
  public void close() {
    client.shutdownNow();
    clientThreads.shutdownNow();
  }
}
