package io.bulwark.examples.shop.payments;

import io.bulwark.examples.shop.Shop;
import io.bulwark.examples.shop.common.ServerSetup;
import io.bulwark.examples.shop.common.SqlitePool;
import io.bulwark.examples.shop.payments.Ledger.Entry;
import io.bulwark.http.Handler;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.runtime.InstanceContext;
import io.bulwark.runtime.ServiceInstance;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The payments service (2 instances, one shared ledger {@code ledger.db} in the service's shared
 * storage; see {@link Ledger} for the guarantees): the shop's side of an anti-corruption layer over
 * the legacy payment provider ({@link LegacyPayments} holds the translation and the error mapping).
 *
 * <p>{@code POST /charges} {@code {"chargeId","amount"}} (cents) with header {@code
 * Idempotency-Key} → 201 new, 200 replay, 409 {@code voided}, or a provider error mapped by {@link
 * LegacyPayments}; {@code POST /refunds} {@code {"chargeId"}} with the same key → 201/200 (a VOID
 * when nothing was charged); {@code GET /charges/{id}}. The key (the saga step's, the same for the
 * charge and its compensation) gives the provider's idempotency token ({@link ProviderToken}).
 *
 * <p>A charge: the ledger first (a replay or a void answers at once); then the provider's sale
 * under the token; then the ledger row. A refund racing the charge is safe both ways: a refund that
 * came first voids the token at the provider (a late sale is refused) and in the ledger (a late
 * ledger row is refused, and the charge reverses its sale before answering 409).
 *
 * <p>An instance running {@link Shop#BAD_PAYMENTS_VERSION} is the game day's bad deploy: every call
 * takes {@value #BAD_LATENCY_MS} ms more, and half of them (a coin hashed from the seed, the
 * instance and the request) fail with 503 {@code bad_version} before touching the ledger.
 */
public final class PaymentsService {
  static final long BAD_LATENCY_MS = 250;
  static final int MAX_ID = 64;
  static final int MAX_KEY = 256;

  /** Body of {@code POST /charges}. */
  public record ChargeRequest(@Nullable String chargeId, long amount) {}

  /** Body of {@code POST /refunds}. */
  public record RefundRequest(@Nullable String chargeId) {}

  private final Ledger ledger;
  private final LegacyPayments provider;

  private PaymentsService(Ledger ledger, LegacyPayments provider) {
    this.ledger = ledger;
    this.provider = provider;
  }

  /** The {@link io.bulwark.runtime.ServiceFactory} of the service. */
  public static ServiceInstance create(InstanceContext ctx) throws Exception {
    SqlitePool db = SqlitePool.open(ctx.serviceStorage().resolve("ledger.db"), 4);
    ProviderLink link = null;
    try {
      Ledger ledger = new Ledger(db);
      ledger.init();
      link = ProviderLink.open(ctx);
      PaymentsService s = new PaymentsService(ledger, link.payments());
      Long coin =
          Shop.BAD_PAYMENTS_VERSION.equals(ctx.version())
              ? ctx.seed() * 31 + ctx.instanceId().hashCode()
              : null;
      ServerSetup.limiter(ctx)
          .post("/charges", faulty(coin, s::charge))
          .post("/refunds", faulty(coin, s::refund))
          .get("/charges/{id}", faulty(coin, s::get));
      return ServiceInstance.of(link, db);
    } catch (Exception | Error e) {
      if (link != null) {
        link.close();
      }
      db.close();
      throw e;
    }
  }

  /**
   * {@code handler}, or with a bad version: the fault first, then (half the time) the handler. The
   * coin is a hash of the instance's seed and the request (method, path, body), not a shared random
   * sequence: the same request always meets the same coin on the same instance, whatever the order
   * the concurrent handlers run in, so a run is reproducible from its seed (a retry of a failed
   * charge succeeds on the other instance).
   */
  private static Handler faulty(@Nullable Long coin, Handler handler) {
    if (coin == null) {
      return handler;
    }
    return req -> {
      try {
        Thread.sleep(BAD_LATENCY_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw HttpProblem.unavailable("interrupted", "payments call interrupted", 1);
      }
      if (fails(coin, req.method() + " " + req.path() + "\n" + req.bodyAsString())) {
        throw HttpProblem.unavailable(
            "bad_version", Shop.BAD_PAYMENTS_VERSION + " failed the call", 1);
      }
      return handler.handle(req);
    };
  }

  /** Half of all requests fail: the low bit of a 64-bit mix of the seed and the request. */
  static boolean fails(long seed, String request) {
    long h = seed ^ 0xcbf29ce484222325L;
    for (int i = 0; i < request.length(); i++) {
      h = (h ^ request.charAt(i)) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return (h & 1) == 1;
  }

  private Response charge(Request req) throws Exception {
    ChargeRequest body = req.bodyAs(ChargeRequest.class);
    String id = checkId(body.chargeId());
    String token = token(req, "charge " + id);
    if (body.amount() <= 0) {
      throw HttpProblem.badRequest(
          "charge " + id + ": amount must be > 0 cents, was " + body.amount());
    }
    if (ledger.refunded(id).isPresent()) {
      // a late charge: its sale may have reached the provider before an earlier answer got lost
      provider.reverse(id, token);
      throw HttpProblem.of(409, "voided", "charge " + id + " was voided by a refund");
    }
    Optional<Entry> done = ledger.charged(id);
    if (done.isPresent()) {
      return answer(done.get());
    }
    LegacyPayments.Booked booked = provider.sale(id, body.amount(), token);
    try {
      return answer(ledger.charge(id, body.amount(), booked.txnId(), token));
    } catch (HttpProblem voided) {
      if (!"voided".equals(voided.code())) {
        throw voided;
      }
      // a refund overtook this charge between the provider and the ledger: undo the sale (if
      // this fails, the next attempt of the charge or the refund's replay undoes it)
      provider.reverse(id, token);
      throw voided;
    }
  }

  private Response refund(Request req) throws Exception {
    String id = checkId(req.bodyAs(RefundRequest.class).chargeId());
    String token = token(req, "refund " + id);
    Optional<Entry> done = ledger.refunded(id);
    if (done.isPresent()) {
      if (done.get().kind().equals(Ledger.VOID)) {
        // a void may have raced a sale still on its way to the provider: reverse again (no-op)
        provider.reverse(id, done.get().token().isEmpty() ? token : done.get().token());
      }
      return answer(done.get());
    }
    Optional<Entry> charge = ledger.charged(id);
    String saleToken = charge.map(Entry::token).filter(t -> !t.isEmpty()).orElse(token);
    LegacyPayments.Reversed reversed = provider.reverse(id, saleToken);
    return answer(ledger.refund(id, reversed.txnId(), saleToken));
  }

  /** The provider token of the request's {@code Idempotency-Key}; refused when it has none. */
  private static String token(Request req, String what) {
    String key = req.header("Idempotency-Key");
    if (key == null || key.isBlank() || key.length() > MAX_KEY) {
      throw HttpProblem.badRequest(
          what + ": header Idempotency-Key must be 1.." + MAX_KEY + " characters, was " + key);
    }
    return ProviderToken.of(key);
  }

  private Response get(Request req) throws Exception {
    String id = checkId(req.pathParam("id"));
    Entry e = ledger.charged(id).orElseThrow(() -> HttpProblem.notFound("no charge " + id));
    return Response.json(e);
  }

  private static Response answer(Entry e) {
    return Response.json(e.created() ? 201 : 200, e);
  }

  private static String checkId(@Nullable String id) {
    if (id == null || id.isBlank() || id.length() > MAX_ID) {
      throw HttpProblem.badRequest("chargeId must be 1.." + MAX_ID + " characters, was " + id);
    }
    return id;
  }
}
