package io.bulwark.examples.shop.load;

import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Handler;
import io.bulwark.http.ServerListener;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A small stand-in for the shop's user-facing routes (both BFFs' pages, cart and checkout, and the
 * catalog's search) on one loopback server, recording every request it receives as {@code METHOD
 * path body key customer}. Each route's answer comes from a handler the test chooses; {@link
 * #route} names a route without its BFF's prefix.
 */
public final class FakeShop implements AutoCloseable {
  public static final Assortment ASSORTMENT =
      new Assortment(List.of("sku-1", "sku-2", "sku-3", "sku-4"), 2, List.of("tea", "mug"));

  final Queue<String> received = new ConcurrentLinkedQueue<>();
  private final BulwarkServer server;

  public FakeShop(Handler handler) {
    Handler recording =
        req -> {
          String key = req.header("Idempotency-Key");
          String query =
              req.query("page") != null
                  ? "?page=" + req.query("page")
                  : req.query("q") != null ? "?q=" + req.query("q") : "";
          received.add(
              req.method()
                  + " "
                  + req.path()
                  + query
                  + " "
                  + req.bodyAsString()
                  + " "
                  + key
                  + " "
                  + req.header("x-customer-id"));
          return handler.handle(req);
        };
    BulwarkServer.Builder b =
        BulwarkServer.builder().listener(ServerListener.none()).get("/search", recording);
    for (String p : List.of("/web/api", "/mobile/api")) {
      b.get(p + "/home", recording)
          .get(p + "/products/{sku}", recording)
          .post(p + "/cart/{cartId}/items", recording)
          .post(p + "/checkout", recording);
    }
    this.server = b.build().start();
  }

  /** The route of {@code req} without its BFF's prefix: {@code /home}, {@code /checkout}... */
  public static String route(io.bulwark.http.Request req) {
    String route = req.route();
    for (String p : List.of("/web/api", "/mobile/api")) {
      if (route.startsWith(p + "/")) {
        return route.substring(p.length());
      }
    }
    return route;
  }

  /** Answers every route as the real shop would on a good day. */
  public static Handler happy() {
    return req ->
        switch (route(req)) {
          case "/products/{sku}" ->
              io.bulwark.http.Response.json(
                  Map.of(
                      "product",
                      Map.of("sku", req.pathParam("sku")),
                      "recommendationsSource",
                      "personal"));
          case "/checkout" ->
              io.bulwark.http.Response.json(
                  201,
                  Map.of("orderId", "o-" + req.header("Idempotency-Key"), "status", "CONFIRMED"));
          default -> io.bulwark.http.Response.json(Map.of("ok", true));
        };
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  @Override
  public void close() {
    server.close();
  }
}
