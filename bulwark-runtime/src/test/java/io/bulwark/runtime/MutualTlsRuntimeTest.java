package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.http.AuthorizationPolicy;
import io.bulwark.http.Response;
import io.bulwark.http.client.CallDecorator;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.client.ClientResponse;
import io.bulwark.http.client.HttpClients;
import io.bulwark.http.client.ServiceClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service under mutual TLS in a running system: the runtime issues every instance its workload
 * certificate, probes the protected instance over TLS, and a caller gets its identity through
 * {@link InstanceContext#withIdentity}; the policy lets the one allowed caller through and refuses
 * the others.
 */
class MutualTlsRuntimeTest {
  @TempDir Path root;

  /** A service whose {@code /try} calls payments with {@code method} and answers what it got. */
  private static ServiceFactory caller(String method) {
    return ctx -> {
      HttpClients clients =
          HttpClients.builder(ctx.discovery(), ctx.scheduler())
              .client(
                  "payments",
                  ctx.withIdentity("payments", ClientConfig.builder("payments").build()))
              .decorators((n, c) -> CallDecorator.none())
              .build();
      ServiceClient payments = clients.client("payments");
      ctx.server()
          .get(
              "/try",
              r -> {
                ClientResponse p =
                    method.equals("POST")
                        ? payments.send(
                            io.bulwark.http.client.ClientRequest.of("POST", "/charges")
                                .withJson("{}"))
                        : payments.get("/charges/1");
                return Response.text(200, p.status() + " " + p.bodyAsString());
              });
      return clients::close;
    };
  }

  @Test
  void onlyTheAllowedCallerReachesTheProtectedServiceAndNothingPlainReachesItAtAll()
      throws Exception {
    SystemModel model =
        SystemModel.builder("shop")
            .service(
                ServiceSpec.builder(
                        "payments",
                        ctx -> {
                          ctx.server()
                              .post("/charges", r -> Response.text(201, "charged for " + r.peer()))
                              .get("/charges/{id}", r -> Response.text(200, "charge"));
                          return ServiceInstance.none();
                        })
                    .mutualTls(
                        AuthorizationPolicy.builder()
                            .allow(
                                "checkout",
                                List.of("/charges"),
                                List.of("POST"),
                                List.of("spiffe://shop/orders"))
                            .build())
                    .build())
            .service(ServiceSpec.builder("orders", caller("POST")).dependsOn("payments").build())
            .service(ServiceSpec.builder("peeker", caller("GET")).dependsOn("payments").build())
            .service(ServiceSpec.builder("reports", caller("POST")).dependsOn("payments").build())
            .build();
    try (SystemRuntime runtime =
            SystemRuntime.inProcess(model, RuntimeOptions.builder(root).build());
        HttpClient plain = HttpClient.newHttpClient()) {
      runtime.start(); // the protected instance answered the runtime's probe over TLS
      assertThat(get(plain, runtime, "orders-1")).isEqualTo("201 charged for spiffe://shop/orders");
      assertThat(get(plain, runtime, "peeker-1"))
          .startsWith("403 ")
          .contains("spiffe://shop/peeker may not call GET /charges/{id}");
      assertThat(get(plain, runtime, "reports-1"))
          .startsWith("403 ")
          .contains("spiffe://shop/reports may not call POST /charges");
      int port = runtime.instance("payments-1").port();
      assertThatThrownBy(
              () ->
                  plain.send(
                      HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/charges/1"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString()))
          .as("plain HTTP to a TLS port gets no answer")
          .isInstanceOf(IOException.class);
      assertThat(root.resolve(".identity").resolve("payments-1.p12")).exists();
      assertThat(root.resolve(".identity").resolve("orders-1.p12")).exists();
    }
  }

  @Test
  void aPolicyNamingARouteTheServiceDoesNotHaveFailsItsStart() {
    SystemModel model =
        SystemModel.builder("shop")
            .service(
                ServiceSpec.builder(
                        "payments",
                        ctx -> {
                          ctx.server().post("/charges", r -> Response.text(201, "ok"));
                          return ServiceInstance.none();
                        })
                    .mutualTls(
                        AuthorizationPolicy.builder()
                            .allow("typo", List.of("/chargez"), List.of(), List.of("*"))
                            .build())
                    .build())
            .build();
    try (SystemRuntime runtime =
        SystemRuntime.inProcess(model, RuntimeOptions.builder(root).build())) {
      assertThatThrownBy(runtime::start)
          .hasStackTraceContaining("authorization rule 'typo' names route '/chargez'");
    }
  }

  @Test
  void theRuntimesOwnIdentityCannotBeTakenByAServiceOrARule() {
    assertThatThrownBy(() -> ServiceSpec.builder("bulwark-runtime", ctx -> ServiceInstance.none()))
        .hasMessageContaining("service name \"bulwark-runtime\" is reserved");
    SystemModel model =
        SystemModel.builder("shop")
            .service(
                ServiceSpec.builder("payments", ctx -> ServiceInstance.none())
                    .mutualTls(
                        AuthorizationPolicy.builder()
                            .allow("bulwark-runtime", List.of("*"), List.of(), List.of("*"))
                            .build())
                    .build())
            .build();
    assertThatThrownBy(() -> SystemRuntime.inProcess(model, RuntimeOptions.builder(root).build()))
        .hasMessageContaining("service payments")
        .hasMessageContaining("'bulwark-runtime' is the runtime's own");
  }

  private static String get(HttpClient plain, SystemRuntime runtime, String instance)
      throws Exception {
    int port = runtime.instance(instance).port();
    return plain
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/try")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
