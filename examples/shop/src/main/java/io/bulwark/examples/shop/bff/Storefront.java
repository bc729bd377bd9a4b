package io.bulwark.examples.shop.bff;

import io.bulwark.examples.shop.common.Resources;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import java.nio.charset.StandardCharsets;

/**
 * The storefront: one plain HTML page with its script and style sheet ({@code shop/storefront/...}
 * in the shop's resources), served by the web BFF at {@code /web} (and {@code /web/index.html}).
 * The script renders the home page, product pages (with recommendations or "popular items"), the
 * cart, the checkout button and the order's status from the web BFF's JSON pages; no build step.
 */
final class Storefront {
  private static final String DIR = "shop/storefront/";

  private Storefront() {}

  static void routes(BulwarkServer.Builder server) {
    byte[] index = bytes("index.html");
    byte[] script = bytes("app.js");
    byte[] style = bytes("style.css");
    server
        .get("/web", req -> Response.bytes(200, "text/html; charset=utf-8", index))
        .get("/web/index.html", req -> Response.bytes(200, "text/html; charset=utf-8", index))
        .get(
            "/web/static/app.js",
            req -> Response.bytes(200, "text/javascript; charset=utf-8", script))
        .get("/web/static/style.css", req -> Response.bytes(200, "text/css; charset=utf-8", style));
  }

  private static byte[] bytes(String name) {
    return Resources.text(DIR + name).getBytes(StandardCharsets.UTF_8);
  }
}
