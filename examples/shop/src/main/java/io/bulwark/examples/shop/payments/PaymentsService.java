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
import org.jspecify.annotations.Nullable;

/**
 * The payments service (2 instances, one shared ledger {@code ledger.db} in the service's shared
 * storage; see {@link Ledger} for the guarantees).
 *
 * <p>{@code POST /charges} {@code {"chargeId","amount"}} → 201 new, 200 replay, 409 {@code voided};
 * {@code POST /refunds} {@code {"chargeId"}} → 201/200 (a VOID when nothing was charged); {@code
 * GET /charges/{id}}.
 *
 * <p>An instance running {@link Shop#BAD_PAYMENTS_VERSION} is the game day's bad deploy: every call
 * takes {@value #BAD_LATENCY_MS} ms more, and half of them (a coin hashed from the seed, the
 * instance and the request) fail with 503 {@code bad_version} before touching the ledger.
 */
public final class PaymentsService {
  static final long BAD_LATENCY_MS = 250;
  static final int MAX_ID = 64;

  /** Body of {@code POST /charges}. */
  public record ChargeRequest(@Nullable String chargeId, long amount) {}

  /** Body of {@code POST /refunds}. */
  public record RefundRequest(@Nullable String chargeId) {}

  private final Ledger ledger;

  private PaymentsService(Ledger ledger) {
    this.ledger = ledger;
  }

  /** The {@link io.bulwark.runtime.ServiceFactory} of the service. */
  public static ServiceInstance create(InstanceContext ctx) throws Exception {
    SqlitePool db = SqlitePool.open(ctx.serviceStorage().resolve("ledger.db"), 4);
    try {
      Ledger ledger = new Ledger(db);
      ledger.init();
      PaymentsService s = new PaymentsService(ledger);
      Long coin =
          Shop.BAD_PAYMENTS_VERSION.equals(ctx.version())
              ? ctx.seed() * 31 + ctx.instanceId().hashCode()
              : null;
      ServerSetup.limiter(ctx)
          .post("/charges", faulty(coin, s::charge))
          .post("/refunds", faulty(coin, s::refund))
          .get("/charges/{id}", faulty(coin, s::get));
      return ServiceInstance.of(db);
    } catch (Exception | Error e) {
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
    if (body.amount() <= 0) {
      throw HttpProblem.badRequest(
          "charge " + id + ": amount must be > 0 cents, was " + body.amount());
    }
    return answer(ledger.charge(id, body.amount()));
  }

  private Response refund(Request req) throws Exception {
    return answer(ledger.refund(checkId(req.bodyAs(RefundRequest.class).chargeId())));
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
