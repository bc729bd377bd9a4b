package io.bulwark.examples.shop.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * retry. Classifies the outcome (2xx and 409 are answers the user can act on; 5xx, other 4xx,
 * connection failures and timeouts are errors) and records it from the intended start.
 */
final class UserCalls implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Duration timeout;
  private final Function<String, URI> targets;
  private final LoadRecorder recorder;
  private final ExecutorService clientThreads = Executors.newVirtualThreadPerTaskExecutor();
  private final HttpClient client;

  UserCalls(Duration timeout, Function<String, URI> targets, LoadRecorder recorder) {
    this.timeout = timeout;
    this.targets = targets;
    this.recorder = recorder;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .executor(clientThreads)
            .build();
  }

  /** One answer: a status and body, or status 0 when the call failed or timed out. */
  record Answer(int status, String body) {
    boolean ok() {
      return (status >= 200 && status < 300) || status == 409;
    }
  }

  void perform(PlannedRequest request, long intendedNanos) {
    int last = request.calls().size() - 1;
    for (int i = 0; i < last; i++) {
      Answer answer = send(request.calls().get(i));
      if (!answer.ok()) {
        finish(request.kind(), intendedNanos, answer);
        if (request.kind() == RequestKind.CHECKOUT) {
          recorder.checkout("failed");
        }
        return;
      }
    }
    Call final_ = request.calls().get(last);
    if (request.doubleSubmit()) {
      submitTwice(request, final_, intendedNanos);
    } else {
      Answer answer = send(final_);
      finish(request.kind(), intendedNanos, answer);
      if (request.kind() == RequestKind.CHECKOUT) {
        recorder.checkout(checkoutOutcome(answer));
      }
    }
  }

  private void submitTwice(PlannedRequest request, Call call, long intendedNanos) {
    recorder.checkout("doubleSubmits");
    CompletableFuture<Answer> second =
        CompletableFuture.supplyAsync(() -> send(call), clientThreads);
    Answer first = send(call);
    Answer other = second.join();
    finish(request.kind(), intendedNanos, first);
    finish(request.kind(), intendedNanos, other);
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

  private void finish(RequestKind kind, long intendedNanos, Answer answer) {
    recorder.record(kind, System.nanoTime() - intendedNanos, !answer.ok());
    if (!answer.ok()) {
      recorder.errorCause(kind.label() + ": " + cause(answer));
    }
    if (kind == RequestKind.PRODUCT && answer.status() == 200 && degraded(answer.body())) {
      recorder.degradedPage();
    }
  }

  /** What went wrong, short enough to count: status and error code, or why there was no answer. */
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

  private static boolean degraded(String body) {
    return "popular".equals(parse(body).path("recommendationsSource").asText());
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return JSON.missingNode();
    }
  }

  private Answer send(Call call) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(targets.apply(call.service()).resolve(call.path())).timeout(timeout);
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
    try {
      HttpResponse<String> response =
          client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
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
