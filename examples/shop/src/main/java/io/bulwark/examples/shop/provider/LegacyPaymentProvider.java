package io.bulwark.examples.shop.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.common.Pause;
import io.bulwark.examples.shop.common.SqlitePool;
import io.bulwark.examples.shop.provider.ProviderStore.Refused;
import io.bulwark.examples.shop.provider.ProviderStore.Reversal;
import io.bulwark.examples.shop.provider.ProviderStore.Txn;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.runtime.InstanceContext;
import io.bulwark.runtime.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A deliberately awkward legacy payment provider (service {@value #SERVICE}, one instance, its
 * books in {@code provider.db} of the service's shared storage), the kind of system the shop's
 * payments service must hide behind an anti-corruption layer.
 *
 * <p>Its wire format is not the shop's:
 *
 * <ul>
 *   <li>{@code POST /gw/v1/Txn.do} {@code {"MerchRef","AmtCents","Ccy"}}: a sale. {@code AmtCents}
 *       is a <em>string</em> of 1..12 digits (minor units), {@code Ccy} one of {@value
 *       #CURRENCIES}. The optional header {@value #TOKEN_HEADER} ({@code [A-Z0-9]{8,40}}) makes it
 *       idempotent; <strong>without it every call is a new transaction</strong>, so a retried sale
 *       whose answer was lost charges twice. Approved: 200 {@code
 *       {"TxnId":"TXN000000042","Result":"APPROVED", "AmtCents","Ccy","MerchRef"}}.
 *   <li>{@code POST /gw/v1/Reverse.do} {@code {"MerchRef"}} with the sale's token (required):
 *       reverses the sale made with it ({@code "Result":"REVERSED"}), or, when no sale used it yet,
 *       voids the token so a later sale with it is refused ({@code "Result":"VOIDED"}). Idempotent.
 *   <li>{@code GET /gw/v1/Txn.do?MerchRef=R}: {@code {"Txns":[{"TxnId","AmtCents","Ccy","State",
 *       "Token"}]}}.
 * </ul>
 *
 * <p>Errors are XML-ish bodies, {@code <PayError><Code>E-nnnn</Code><Text>…</Text></PayError>}
 * ({@code text/xml}), under statuses that do not say much: 200 for a decline ({@code E-2002}: over
 * the single transaction limit) and for a transient system error ({@code E-9000}, before anything
 * was booked), 400 for a malformed call ({@code E-1001} field, {@code E-1002} currency, {@code
 * E-1004} token), 409 for a token used for another sale ({@code E-3001}) or voided ({@code
 * E-3002}).
 *
 * <p>Flaky latency: every call takes 0..3 ms; a share of the sales ({@value #SLOW_SHARE}, default
 * {@value #DEFAULT_SLOW_SHARE}, plus the first {@value #SLOW_FIRST_CALLS} calls of each token)
 * answers only after {@value #SLOW_MS} ms (default {@value #DEFAULT_SLOW_MS}) <em>after</em>
 * booking: a caller that gave up has been charged anyway. A share ({@value #ERROR_SHARE}, default
 * {@value #DEFAULT_ERROR_SHARE}) answers {@code E-9000}. Each decision is a hash of the seed, the
 * token (or reference) and the number of the call with that token, so a run is repeatable and a
 * retry is decided anew.
 */
public final class LegacyPaymentProvider {
  /** The service's name in the shop's system model. */
  public static final String SERVICE = "payment-provider";

  public static final String TOKEN_HEADER = "X-Idem-Token";
  public static final String SLOW_SHARE = "provider.slow-share";
  public static final String SLOW_MS = "provider.slow-ms";
  public static final String SLOW_FIRST_CALLS = "provider.slow-first-calls";
  public static final String ERROR_SHARE = "provider.error-share";
  public static final String MAX_CENTS = "provider.max-cents";

  static final String CURRENCIES = "EUR, USD, GBP";
  static final String DEFAULT_SLOW_SHARE = "0.002";
  static final String DEFAULT_SLOW_MS = "1200";
  static final String DEFAULT_ERROR_SHARE = "0.02";
  static final String DEFAULT_MAX_CENTS = "10000000";

  private static final Set<String> CCY = Set.of("EUR", "USD", "GBP");
  private static final Pattern CENTS = Pattern.compile("[0-9]{1,12}");
  private static final Pattern TOKEN = Pattern.compile("[A-Z0-9]{8,40}");
  private static final int MAX_REF = 64;
  private static final int MAX_TRACKED_TOKENS = 100_000;

  /** How flaky the provider is. */
  record Flakiness(
      long seed, double slowShare, long slowMs, int slowFirstCalls, double errorShare) {}

  private final ProviderStore store;
  private final Flakiness flaky;
  private final long maxCents;
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  private LegacyPaymentProvider(ProviderStore store, Flakiness flaky, long maxCents) {
    this.store = store;
    this.flaky = flaky;
    this.maxCents = maxCents;
  }

  /** The {@link io.bulwark.runtime.ServiceFactory} of the service. */
  public static ServiceInstance create(InstanceContext ctx) throws Exception {
    Flakiness flaky =
        new Flakiness(
            ctx.seed(),
            share(ctx, SLOW_SHARE, DEFAULT_SLOW_SHARE),
            number(ctx, SLOW_MS, DEFAULT_SLOW_MS, 0, 60_000),
            (int) number(ctx, SLOW_FIRST_CALLS, "0", 0, 100),
            share(ctx, ERROR_SHARE, DEFAULT_ERROR_SHARE));
    long maxCents = number(ctx, MAX_CENTS, DEFAULT_MAX_CENTS, 1, 999_999_999_999L);
    // the provider's books survive its process crashing (WAL), not the machine's: a stand-in for a
    // remote system, it should not cost the shop's disk an fsync per sale
    SqlitePool db = SqlitePool.open(ctx.serviceStorage().resolve("provider.db"), 4, false);
    try {
      ProviderStore store = new ProviderStore(db);
      store.init();
      LegacyPaymentProvider p = new LegacyPaymentProvider(store, flaky, maxCents);
      ctx.server()
          .post("/gw/v1/Txn.do", p::sale)
          .post("/gw/v1/Reverse.do", p::reverse)
          .get("/gw/v1/Txn.do", p::list);
      return ServiceInstance.of(db);
    } catch (Exception | Error e) {
      db.close();
      throw e;
    }
  }

  private static double share(InstanceContext ctx, String key, String dflt) {
    String v = ctx.setting(key, dflt);
    double d;
    try {
      d = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      d = Double.NaN;
    }
    if (!(d >= 0 && d <= 1)) {
      throw new IllegalArgumentException(
          "setting " + key + " of " + ctx.instanceId() + " must be 0..1, was \"" + v + "\"");
    }
    return d;
  }

  private static long number(InstanceContext ctx, String key, String dflt, long min, long max) {
    String v = ctx.setting(key, dflt);
    long n;
    try {
      n = Long.parseLong(v);
    } catch (NumberFormatException e) {
      n = Long.MIN_VALUE;
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(
          "setting "
              + key
              + " of "
              + ctx.instanceId()
              + " must be "
              + min
              + ".."
              + max
              + ", was \""
              + v
              + "\"");
    }
    return n;
  }

  private Response sale(Request req) throws Exception {
    JsonNode body = body(req);
    if (body == null) {
      return error(400, "E-1001", "body is not a JSON object");
    }
    String ref = text(body, "MerchRef");
    String amt = text(body, "AmtCents");
    String ccy = text(body, "Ccy");
    String token = req.header(TOKEN_HEADER);
    if (ref == null || ref.isEmpty() || ref.length() > MAX_REF) {
      return error(400, "E-1001", "MerchRef missing or too long");
    }
    if (amt == null || !CENTS.matcher(amt).matches() || Long.parseLong(amt) == 0) {
      return error(400, "E-1001", "AmtCents must be a string of digits > 0");
    }
    if (ccy == null || !CCY.contains(ccy)) {
      return error(400, "E-1002", "Ccy not supported");
    }
    if (token != null && !TOKEN.matcher(token).matches()) {
      return error(400, "E-1004", "token malformed");
    }
    String key = token != null ? "T" + token : "R" + ref;
    int n = callNumber(key);
    pause(baseLatency(key, n));
    if (coin(key, n, 2) < flaky.errorShare()) {
      return error(200, "E-9000", "system error, please try later");
    }
    Txn txn;
    try {
      txn = store.sale(ref, Long.parseLong(amt), ccy, token, maxCents);
    } catch (Refused r) {
      return error(r.status, r.code, r.text);
    }
    if (n <= flaky.slowFirstCalls() || coin(key, n, 1) < flaky.slowShare()) {
      // booked: the answer comes late, a caller that gave up was charged all the same
      pause(flaky.slowMs());
    }
    return Response.json(answer(txn, "APPROVED"));
  }

  private Response reverse(Request req) throws Exception {
    JsonNode body = body(req);
    String ref = body == null ? null : text(body, "MerchRef");
    String token = req.header(TOKEN_HEADER);
    if (ref == null || ref.isEmpty() || ref.length() > MAX_REF) {
      return error(400, "E-1001", "MerchRef missing or too long");
    }
    if (token == null || !TOKEN.matcher(token).matches()) {
      return error(400, "E-1004", "token missing or malformed");
    }
    pause(baseLatency("V" + token, 1));
    Reversal r;
    try {
      r = store.reverse(ref, token);
    } catch (Refused e) {
      return error(e.status, e.code, e.text);
    }
    Txn t = r.txn();
    if (t == null) {
      Map<String, String> voided = new LinkedHashMap<>();
      voided.put("TxnId", "");
      voided.put("Result", "VOIDED");
      voided.put("AmtCents", "0");
      voided.put("MerchRef", ref);
      return Response.json(voided);
    }
    return Response.json(answer(t, "REVERSED"));
  }

  private Response list(Request req) throws Exception {
    String ref = req.query("MerchRef");
    if (ref == null || ref.isEmpty() || ref.length() > MAX_REF) {
      return error(400, "E-1001", "MerchRef missing or too long");
    }
    List<Map<String, String>> txns =
        store.byRef(ref).stream()
            .map(
                t -> {
                  Map<String, String> m = new LinkedHashMap<>();
                  m.put("TxnId", t.txnId());
                  m.put("AmtCents", Long.toString(t.cents()));
                  m.put("Ccy", t.ccy());
                  m.put("State", t.state());
                  m.put("Token", t.token() == null ? "" : t.token());
                  return m;
                })
            .toList();
    return Response.json(Map.of("Txns", txns));
  }

  private static Map<String, String> answer(Txn t, String result) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("TxnId", t.txnId());
    m.put("Result", result);
    m.put("AmtCents", Long.toString(t.cents()));
    m.put("Ccy", t.ccy());
    m.put("MerchRef", t.merchRef());
    return m;
  }

  private int callNumber(String key) {
    if (calls.size() > MAX_TRACKED_TOKENS) {
      calls.clear();
    }
    return calls.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
  }

  /** 0..3 ms. */
  private long baseLatency(String key, int n) {
    return (long) (coin(key, n, 3) * 4);
  }

  /** A uniform number in [0, 1) from the seed, the key, the call number and a salt. */
  double coin(String key, int n, int salt) {
    long h = flaky.seed() ^ 0x9e3779b97f4a7c15L * (salt + 1) ^ n * 0xbf58476d1ce4e5b9L;
    for (int i = 0; i < key.length(); i++) {
      h = (h ^ key.charAt(i)) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return (h >>> 11) * 0x1.0p-53;
  }

  private static void pause(long ms) {
    if (ms > 0) {
      Pause.of(ms);
    }
  }

  private static @Nullable JsonNode body(Request req) {
    try {
      JsonNode n = Json.MAPPER.readTree(req.bodyAsString());
      return n != null && n.isObject() ? n : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static @Nullable String text(JsonNode body, String field) {
    JsonNode n = body.get(field);
    return n != null && n.isTextual() ? n.asText() : null;
  }

  /** The provider's XML-ish error body. */
  static Response error(int status, String code, String text) {
    String xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PayError><Code>"
            + code
            + "</Code><Text>"
            + escape(text)
            + "</Text></PayError>\n";
    return Response.bytes(status, "text/xml", xml.getBytes(StandardCharsets.UTF_8));
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
