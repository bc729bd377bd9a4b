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
 * A small stand-in for the shop's user-facing routes on one loopback server, recording every
 * request it receives as {@code METHOD path body key}. Each route's answer comes from a handler the
 * test chooses.
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
              req.method() + " " + req.path() + query + " " + req.bodyAsString() + " " + key);
          return handler.handle(req);
        };
    this.server =
        BulwarkServer.builder()
            .listener(ServerListener.none())
            .get("/products", recording)
            .get("/products/{sku}", recording)
            .get("/search", recording)
            .post("/carts/{cartId}/items", recording)
            .post("/checkout", recording)
            .build()
            .start();
  }

  /** Answers every route as the real shop would on a good day. */
  public static Handler happy() {
    return req ->
        switch (req.route()) {
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
