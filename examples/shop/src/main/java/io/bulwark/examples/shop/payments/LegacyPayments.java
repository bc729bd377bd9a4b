package io.bulwark.examples.shop.payments;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.core.error.BulwarkException;
import io.bulwark.core.error.RejectedException;
import io.bulwark.core.error.RetriableException;
import io.bulwark.core.error.TimeoutFailure;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.provider.LegacyPaymentProvider;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.client.ClientRequest;
import io.bulwark.http.client.ClientResponse;
import io.bulwark.http.client.HttpCallException;
import io.bulwark.http.client.ServiceClient;
import io.bulwark.resilience.Pipeline;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The anti-corruption layer over the {@link LegacyPaymentProvider}: the only code of the shop that
 * knows the provider's wire format. It translates the shop's charge (a charge id, an amount in
 * cents as a number, the shop's currency {@value #CURRENCY}) into the provider's sale ({@code
 * MerchRef}, {@code AmtCents} as a string, {@code Ccy}), always with the provider's idempotency
 * token ({@link ProviderToken}), and the provider's answers back into the shop's model — or into
 * one of the shop's errors:
 *
 * <table>
 *   <caption>Provider answers and the shop's errors</caption>
 *   <tr><th>provider</th><th>shop answer</th></tr>
 *   <tr><td>200 APPROVED / REVERSED / VOIDED, fields as sent</td><td>the charge or refund</td></tr>
 *   <tr><td>200 {@code E-2xxx} (declined)</td><td>402 {@code payment_declined}</td></tr>
 *   <tr><td>200 {@code E-9000}, 5xx, connection refused</td><td>retried; then 503
 *       {@code provider_unavailable}</td></tr>
 *   <tr><td>no answer in time, or its 504 (the propagated deadline passed there first)</td>
 *       <td>retried; then 504 {@code provider_timeout}</td></tr>
 *   <tr><td>circuit open, retry budget spent</td><td>503 {@code provider_unavailable}</td></tr>
 *   <tr><td>400 {@code E-1xxx} (our call malformed)</td><td>502 {@code provider_rejected}</td></tr>
 *   <tr><td>409 {@code E-3001} (token used for another sale)</td><td>409
 *       {@code idempotency_conflict}</td></tr>
 *   <tr><td>409 {@code E-3002} (token voided)</td><td>409 {@code voided}</td></tr>
 *   <tr><td>anything else: truncated or foreign XML, JSON that is not an object, a TxnId not
 *       {@code TXN} and 9 digits, an amount not in cents or not the one sent, another currency or
 *       reference</td><td>retried; then 502 {@code provider_bad_answer} naming the field and
 *       value</td></tr>
 * </table>
 *
 * <p>Every retry resends the same token, so a sale whose answer was lost (timed out, garbled) is
 * booked once however often it is retried. With resilience on, calls run through the {@code
 * payment-provider} pipeline of {@code shop/resilience.yaml} (retry within a budget, circuit
 * breaker, timeout); with it off, one attempt with the client's timeout.
 */
final class LegacyPayments {
  static final String CURRENCY = "EUR";
  static final String SALE = "/gw/v1/Txn.do";
  static final String REVERSE = "/gw/v1/Reverse.do";

  private static final Pattern TXN_ID = Pattern.compile("TXN[0-9]{9}");
  private static final Pattern CENTS = Pattern.compile("[0-9]{1,12}");
  private static final Pattern ERROR =
      Pattern.compile(
          "\\s*(?:<\\?xml[^>]{0,100}\\?>)?\\s*<PayError>\\s*<Code>(E-[0-9]{4})</Code>\\s*"
              + "<Text>([^<]{0,500})</Text>\\s*</PayError>\\s*");

  /** A sale the provider booked (or reversed). */
  record Booked(String txnId, long cents) {}

  /** What a reversal did: {@code txnId} empty when the token was voided (no sale yet). */
  record Reversed(String txnId, long cents, boolean voided) {}

  /** A transient failure of one attempt: worth retrying with the same token. */
  static final class Transient extends RetriableException {
    private static final long serialVersionUID = 1L;
    final boolean badAnswer;

    Transient(String message, boolean badAnswer) {
      super(message);
      this.badAnswer = badAnswer;
    }
  }

  private final ServiceClient client;
  private final @Nullable Pipeline pipeline;

  /**
   * @param client the provider's client (one attempt per send)
   * @param pipeline the resilience around each call, or null for one plain attempt
   */
  LegacyPayments(ServiceClient client, @Nullable Pipeline pipeline) {
    this.client = client;
    this.pipeline = pipeline;
  }

  /** Charges {@code cents} under {@code chargeId}, idempotently under {@code token}. */
  Booked sale(String chargeId, long cents, String token) throws InterruptedException {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("MerchRef", chargeId);
    body.put("AmtCents", Long.toString(cents));
    body.put("Ccy", CURRENCY);
    ClientRequest request =
        Json.post(SALE, body).withHeader(LegacyPaymentProvider.TOKEN_HEADER, token);
    String what = "charge " + chargeId;
    return call(
        what,
        request,
        ok -> {
          expect(what, ok, "Result", "APPROVED");
          expect(what, ok, "MerchRef", chargeId);
          expect(what, ok, "Ccy", CURRENCY);
          long booked = cents(what, ok);
          if (booked != cents) {
            throw new Transient(
                what + ": provider answered AmtCents \"" + booked + "\", sent \"" + cents + "\"",
                true);
          }
          return new Booked(txnId(what, ok), booked);
        });
  }

  /** Reverses the sale made with {@code token}, or voids the token if there was none. */
  Reversed reverse(String chargeId, String token) throws InterruptedException {
    ClientRequest request =
        Json.post(REVERSE, Map.of("MerchRef", chargeId))
            .withHeader(LegacyPaymentProvider.TOKEN_HEADER, token);
    String what = "refund " + chargeId;
    return call(
        what,
        request,
        ok -> {
          expect(what, ok, "MerchRef", chargeId);
          String result = field(what, ok, "Result");
          return switch (result) {
            case "REVERSED" -> new Reversed(txnId(what, ok), cents(what, ok), false);
            case "VOIDED" -> new Reversed("", 0, true);
            default ->
                throw new Transient(
                    what + ": provider answered Result \"" + clip(result) + "\"", true);
          };
        });
  }

  /** One call, retried as the pipeline says; failures leave as the shop's {@link HttpProblem}. */
  private <T> T call(String what, ClientRequest request, Function<JsonNode, T> read)
      throws InterruptedException {
    Outcome<T> outcome;
    try {
      outcome =
          pipeline == null
              ? attempt(what, request, read, client)
              : pipeline.call(() -> attempt(what, request, read, client));
    } catch (InterruptedException e) {
      throw e;
    } catch (Transient e) {
      String m = String.valueOf(e.getMessage());
      throw e.badAnswer
          ? HttpProblem.of(502, "provider_bad_answer", m)
          : HttpProblem.unavailable("provider_unavailable", m, 1);
    } catch (RejectedException e) {
      throw HttpProblem.unavailable(
          "provider_unavailable", what + ": provider calls refused: " + e.getMessage(), 1);
    } catch (Exception e) {
      // a 504 is the provider's own deadline (the caller's, propagated) passing first: as with
      // the client's timeout, the sale may be booked and only a retry with its token can tell
      if ((e instanceof TimeoutFailure t && t.isTimeout())
          || (e instanceof HttpCallException h && h.status() == 504)) {
        throw HttpProblem.of(504, "provider_timeout", what + ": provider did not answer in time");
      }
      if (e instanceof BulwarkException || e instanceof RuntimeException) {
        throw HttpProblem.unavailable(
            "provider_unavailable", what + ": provider failed: " + e.getMessage(), 1);
      }
      throw new IllegalStateException(what + ": " + e, e);
    }
    return switch (outcome) {
      case Outcome.Ok<T> ok -> ok.value();
      case Outcome.Refusal<T> r -> throw refusal(what, r);
    };
  }

  /** A final answer of one attempt. */
  sealed interface Outcome<T> {
    record Ok<T>(T value) implements Outcome<T> {}

    record Refusal<T>(int status, String code, String text) implements Outcome<T> {}
  }

  /**
   * One attempt: a final outcome, or {@link Transient} (and the client's own exceptions) for what a
   * retry with the same token may cure.
   */
  private static <T> Outcome<T> attempt(
      String what, ClientRequest request, Function<JsonNode, T> read, ServiceClient client)
      throws InterruptedException {
    ClientResponse r = client.send(request);
    String body = r.bodyAsString();
    String type = r.header("content-type");
    if (type != null && type.startsWith("text/xml")) {
      Matcher m = ERROR.matcher(body);
      if (!m.matches()) {
        throw new Transient(
            what + ": provider answered " + r.status() + " with malformed XML: " + clip(body),
            true);
      }
      String code = m.group(1);
      if (code.equals("E-9000")) {
        throw new Transient(what + ": provider answered E-9000 " + m.group(2).trim(), false);
      }
      return new Outcome.Refusal<>(r.status(), code, m.group(2).trim());
    }
    if (r.status() != 200) {
      throw new Transient(
          what + ": provider answered " + r.status() + " without its error body: " + clip(body),
          true);
    }
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      json = null;
    }
    if (json == null || !json.isObject()) {
      throw new Transient(
          what + ": provider answered a body that is not JSON: " + clip(body), true);
    }
    return new Outcome.Ok<>(read.apply(json));
  }

  private static HttpProblem refusal(String what, Outcome.Refusal<?> r) {
    String detail = what + ": provider refused " + r.code() + " (" + r.text() + ")";
    if (r.code().startsWith("E-2")) {
      return HttpProblem.of(402, "payment_declined", detail);
    }
    if (r.code().equals("E-3001")) {
      return HttpProblem.of(409, "idempotency_conflict", detail);
    }
    if (r.code().equals("E-3002")) {
      return HttpProblem.of(409, "voided", detail);
    }
    if (r.code().startsWith("E-1")) {
      return HttpProblem.of(502, "provider_rejected", detail);
    }
    return HttpProblem.of(502, "provider_bad_answer", detail + ": unknown code");
  }

  private static String field(String what, JsonNode body, String name) {
    JsonNode n = body.get(name);
    if (n == null || !n.isTextual()) {
      throw new Transient(
          what + ": provider answer has no text field " + name + ": " + clip(body.toString()),
          true);
    }
    return n.asText();
  }

  private static void expect(String what, JsonNode body, String name, String expected) {
    String v = field(what, body, name);
    if (!v.equals(expected)) {
      throw new Transient(
          what
              + ": provider answered "
              + name
              + " \""
              + clip(v)
              + "\", expected \""
              + expected
              + "\"",
          true);
    }
  }

  private static long cents(String what, JsonNode body) {
    String v = field(what, body, "AmtCents");
    if (!CENTS.matcher(v).matches()) {
      throw new Transient(
          what + ": provider answered AmtCents \"" + clip(v) + "\", not a whole number of cents",
          true);
    }
    return Long.parseLong(v);
  }

  private static String txnId(String what, JsonNode body) {
    String v = field(what, body, "TxnId");
    if (!TXN_ID.matcher(v).matches()) {
      throw new Transient(
          what + ": provider answered TxnId \"" + clip(v) + "\", not TXN and 9 digits", true);
    }
    return v;
  }

  private static String clip(String s) {
    String one = s.replaceAll("[\\r\\n\\t]", " ");
    return one.length() <= 120 ? one : one.substring(0, 120) + "…";
  }
}
