package io.bulwark.saga.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.http.BulwarkServer;
import io.bulwark.http.ServerConfig;
import io.bulwark.http.ServerListener;
import io.bulwark.saga.RunEvent;
import io.bulwark.saga.RunQuery;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.RunSummary;
import io.bulwark.saga.RunView;
import io.bulwark.saga.StepView;
import io.bulwark.saga.http.Http.Answer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The saga routes over real HTTP on loopback, against a {@link RecordingEngine}: every filter
 * reaches the engine as given, every view field reaches the caller, and every bad input is refused
 * with the parameter and the value before the engine is asked to act.
 */
class SagaRoutesTest {
  static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");
  static final int MAX_BODY = 4_096;

  static RecordingEngine engine = new RecordingEngine();
  static BulwarkServer server;
  static Http http;

  @BeforeAll
  static void start() {
    server =
        SagaRoutes.register(
                BulwarkServer.builder()
                    .eventLoops(1)
                    .config(ServerConfig.builder().maxBodySize(MAX_BODY).build())
                    .listener(ServerListener.none()),
                "/sagas",
                engine)
            .build()
            .start();
    http = new Http(server.port());
  }

  @AfterAll
  static void stop() {
    server.shutdown();
  }

  @BeforeEach
  void reset() {
    engine.runs.clear();
    engine.calls.clear();
    engine.queries.clear();
    engine.signals.clear();
    engine.listing = List.of();
    engine.missing = List.of();
    engine.storeDown = false;
  }

  @Test
  void theRunListPassesEveryFilterToTheEngineAndShowsEachRun() throws Exception {
    engine.listing =
        List.of(
            new RunSummary(
                "o-2",
                "order",
                2,
                RunStatus.PARKED,
                "compensation release failed",
                T0,
                T0.plusSeconds(5)),
            new RunSummary("o-1", "order", 2, RunStatus.COMPLETED, null, T0.minusSeconds(60), T0));

    Answer a =
        http.get(
            "/sagas/runs?workflow=order&status=completed,%20PARKED"
                + "&from=2026-12-05T00:00:00Z&to=2026-12-06T00:00:00Z&limit=5");

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.contentType()).startsWith("application/json");
    assertThat(engine.queries)
        .containsExactly(
            new RunQuery(
                "order",
                Set.of(RunStatus.COMPLETED, RunStatus.PARKED),
                Instant.parse("2026-12-05T00:00:00Z"),
                Instant.parse("2026-12-06T00:00:00Z"),
                5));
    assertThat(a.json().path("count").asInt()).isEqualTo(2);
    assertThat(a.json().path("limit").asInt()).isEqualTo(5);
    var first = a.json().path("runs").get(0);
    assertThat(first.path("runId").asText()).isEqualTo("o-2");
    assertThat(first.path("workflow").asText()).isEqualTo("order");
    assertThat(first.path("version").asInt()).isEqualTo(2);
    assertThat(first.path("status").asText()).isEqualTo("PARKED");
    assertThat(first.path("cause").asText()).isEqualTo("compensation release failed");
    assertThat(first.path("createdAt").asText()).isEqualTo("2026-12-05T10:00:00Z");
    assertThat(first.path("updatedAt").asText()).isEqualTo("2026-12-05T10:00:05Z");
    assertThat(a.json().path("runs").get(1).path("cause").isNull()).isTrue();
  }

  @Test
  void withoutFiltersTheListAsksForTheNewestHundredOfAnyStatus() throws Exception {
    Answer a = http.get("/sagas/runs");

    assertThat(a.status()).isEqualTo(200);
    assertThat(engine.queries).containsExactly(RunQuery.all());
    assertThat(a.json().path("runs").isArray()).isTrue();
    assertThat(a.json().path("count").asInt()).isZero();
  }

  @ParameterizedTest(name = "limit={0}")
  @CsvSource({"1", "1000"})
  void theLimitsBoundariesAreAccepted(int limit) throws Exception {
    assertThat(http.get("/sagas/runs?limit=" + limit).status()).isEqualTo(200);
    assertThat(engine.queries.getFirst().limit()).isEqualTo(limit);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "status=DONE                          | status   | DONE                 | 'DONE' is not a run status",
        "status=COMPLETED,                    | status   | COMPLETED,           | '' is not a run status",
        "status=COMPLETED,,PARKED             | status   | COMPLETED,,PARKED    | '' is not a run status",
        "from=yesterday                       | from     | yesterday            | not an ISO-8601 instant",
        "to=2026-13-01T00:00:00Z              | to       | 2026-13-01T00:00:00Z | not an ISO-8601 instant",
        "from=2026-12-05                      | from     | 2026-12-05           | not an ISO-8601 instant",
        "limit=0                              | limit    | 0                    | from 1 to 1000, got '0'",
        "limit=1001                           | limit    | 1001                 | from 1 to 1000, got '1001'",
        "limit=-1                             | limit    | -1                   | got '-1'",
        "limit=ten                            | limit    | ten                  | got 'ten'",
        "limit=4294967297                     | limit    | 4294967297           | got '4294967297'",
        "limit=1.5                            | limit    | 1.5                  | got '1.5'",
        "workflow=or%20der                    | workflow | or der               | got 'or der'",
        "from=2026-12-05T10:00:00Z&to=2026-12-05T10:00:00Z | from | 2026-12-05T10:00:00Z | must be before to",
        "from=2026-12-06T00:00:00Z&to=2026-12-05T00:00:00Z | from | 2026-12-06T00:00:00Z | must be before to",
      })
  void aBadFilterIsRefusedWithTheParameterAndTheValueAndNeverReachesTheEngine(
      String query, String parameter, String value, String message) throws Exception {
    Answer a = http.get("/sagas/runs?" + query);

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.text("error")).isEqualTo("bad_parameter");
    assertThat(a.text("parameter")).isEqualTo(parameter);
    assertThat(a.text("value")).isEqualTo(value);
    assertThat(a.text("message")).contains(parameter).contains(message);
    assertThat(a.json().path("correlationId").asText()).isNotEmpty();
    assertThat(engine.queries).isEmpty();
  }

  @Test
  void anUnknownStatusNamesEveryStatusThereIs() throws Exception {
    Answer a = http.get("/sagas/runs?status=FINISHED");

    for (RunStatus s : RunStatus.values()) {
      assertThat(a.text("message")).contains(s.name());
    }
  }

  @Test
  void aHugeBadValueIsEchoedCutShortWithItsLength() throws Exception {
    String huge = "x".repeat(3_000);

    Answer a = http.get("/sagas/runs?status=" + huge);

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.text("value"))
        .startsWith("x".repeat(BadInput.MAX_ECHO))
        .endsWith("(3000 characters)");
    assertThat(a.text("message").length()).isLessThan(1_000);
  }

  @Test
  void oneRunShowsItsInputOutputStepsStateAndTimeline() throws Exception {
    engine.runs.put("o-7", parkedOrder("o-7"));

    Answer a = http.get("/sagas/runs/o-7");

    assertThat(a.status()).isEqualTo(200);
    var run = a.json();
    assertThat(run.path("runId").asText()).isEqualTo("o-7");
    assertThat(run.path("workflow").asText()).isEqualTo("order");
    assertThat(run.path("version").asInt()).isEqualTo(3);
    assertThat(run.path("status").asText()).isEqualTo("PARKED");
    assertThat(run.path("queue").asText()).isEqualTo("checkout");
    assertThat(run.path("priority").asInt()).isEqualTo(7);
    assertThat(run.path("parentRunId").isNull()).isTrue();
    assertThat(run.path("input").path("sku").asText()).isEqualTo("pen");
    assertThat(run.path("input").path("quantity").asInt()).isEqualTo(2);
    assertThat(run.path("output").isNull()).isTrue();
    assertThat(run.path("cause").asText())
        .isEqualTo("compensation of step reserve exhausted 10 attempts");
    assertThat(run.path("owner").asText()).isEqualTo("executor-a");
    assertThat(run.path("state").path("phase").asText()).isEqualTo("refunding");
    assertThat(run.path("state").path("tries").asInt()).isEqualTo(3);

    var reserve = run.path("steps").get(0);
    assertThat(reserve.path("index").asInt()).isZero();
    assertThat(reserve.path("name").asText()).isEqualTo("reserve");
    assertThat(reserve.path("kind").asText()).isEqualTo("STEP");
    assertThat(reserve.path("status").asText()).isEqualTo("COMPENSATION_FAILED");
    assertThat(reserve.path("output").path("reservation").asText()).isEqualTo("r-1");
    assertThat(reserve.path("error").asText()).isEqualTo("inventory answered 503");
    assertThat(reserve.path("attempts").asInt()).isEqualTo(1);
    assertThat(reserve.path("compensationAttempts").asInt()).isEqualTo(10);
    assertThat(reserve.path("nextAttemptAt").isNull()).isTrue();
    assertThat(reserve.path("startedAt").asText()).isEqualTo("2026-12-05T10:00:01Z");
    assertThat(reserve.path("endedAt").asText()).isEqualTo("2026-12-05T10:00:02Z");
    var charge = run.path("steps").get(1);
    assertThat(charge.path("output").isNull()).isTrue();
    assertThat(charge.path("attempts").asInt()).isEqualTo(5);
    assertThat(charge.path("error").asText()).isEqualTo("card declined");

    assertThat(run.path("timeline").size()).isEqualTo(3);
    assertThat(run.path("timeline").get(0).path("at").asText()).isEqualTo("2026-12-05T10:00:00Z");
    assertThat(run.path("timeline").get(0).path("kind").asText()).isEqualTo("started");
    assertThat(run.path("timeline").get(2).path("kind").asText()).isEqualTo("parked");
    assertThat(run.path("timeline").get(2).path("detail").asText()).contains("reserve");
  }

  @Test
  void aChildRunIdWithASlashIsReachedPercentEncoded() throws Exception {
    engine.runs.put("o-7/payment", parkedOrder("o-7/payment"));

    Answer a = http.get("/sagas/runs/" + URLEncoder.encode("o-7/payment", StandardCharsets.UTF_8));

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.text("runId")).isEqualTo("o-7/payment");
    assertThat(http.get("/sagas/runs/o-7/payment").status()).isEqualTo(404);
  }

  @Test
  void aBadlyPercentEncodedRunIdIs400NamingTheRawValue() throws Exception {
    Answer a = http.get("/sagas/runs/o-%zz");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.text("parameter")).isEqualTo("id");
    assertThat(a.text("value")).isEqualTo("o-%zz");
    assertThat(a.text("message")).contains("not percent-encoded");
  }

  @Test
  void aRunIdWithAPlusIsNotReadAsASpace() throws Exception {
    engine.runs.put("a+b", order("a+b", RunStatus.RUNNING));

    assertThat(http.get("/sagas/runs/a+b").text("runId")).isEqualTo("a+b");
  }

  @Test
  void anUnknownRunIs404NamingTheId() throws Exception {
    Answer a = http.get("/sagas/runs/no-such-run");

    assertThat(a.status()).isEqualTo(404);
    assertThat(a.text("error")).isEqualTo("unknown_run");
    assertThat(a.text("parameter")).isEqualTo("id");
    assertThat(a.text("value")).isEqualTo("no-such-run");
    assertThat(a.text("message")).contains("'no-such-run'");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"cancel", "retry", "skip"})
  void anActionOnAnUnknownRunIs404(String action) throws Exception {
    Answer a = http.post("/sagas/runs/ghost/" + action);

    assertThat(a.status()).isEqualTo(404);
    assertThat(a.text("value")).isEqualTo("ghost");
    assertThat(engine.runs).isEmpty();
  }

  @Test
  void cancelPassesTheReasonAndAnswersTheStatusTheRunHasNow() throws Exception {
    engine.runs.put("o-1", order("o-1", RunStatus.WAITING));

    Answer a = http.post("/sagas/runs/o-1/cancel", "{\"reason\":\"customer called\"}");

    assertThat(a.status()).isEqualTo(200);
    assertThat(engine.actions()).containsExactly("cancel o-1 customer called");
    assertThat(a.text("runId")).isEqualTo("o-1");
    assertThat(a.text("action")).isEqualTo("cancel");
    assertThat(a.text("status")).isEqualTo("COMPENSATING");
  }

  @Test
  void cancelWithoutABodyGivesAReasonThatSaysWhereItCameFrom() throws Exception {
    engine.runs.put("o-1", order("o-1", RunStatus.RUNNING));

    assertThat(http.post("/sagas/runs/o-1/cancel").status()).isEqualTo(200);
    assertThat(engine.actions()).containsExactly("cancel o-1 cancelled over HTTP");
  }

  @Test
  void aReasonOfExactlyTheLimitIsAcceptedAndOneMoreIsRefused() throws Exception {
    engine.runs.put("o-1", order("o-1", RunStatus.RUNNING));
    String longest = "r".repeat(SagaRoutes.MAX_REASON);

    Answer over = http.post("/sagas/runs/o-1/cancel", "{\"reason\":\"" + longest + "r\"}");
    Answer at = http.post("/sagas/runs/o-1/cancel", "{\"reason\":\"" + longest + "\"}");

    assertThat(over.status()).isEqualTo(400);
    assertThat(over.text("parameter")).isEqualTo("reason");
    assertThat(at.status()).isEqualTo(200);
    assertThat(engine.actions()).containsExactly("cancel o-1 " + longest);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "{\"reason\":                  | body   | not valid JSON",
        "{\"reason\":\"x\"} trailing   | body   | not valid JSON",
        "{\"reason\":\"a\",\"reason\":\"b\"} | body | Duplicate field",
        "[\"x\"]                       | body   | must be a JSON object",
        "{\"reason\":42}               | reason | reason must be a text",
        "{\"reason\":\"  \"}           | reason | reason must be a text",
        "{}                            | reason | got none",
        "{\"reason\":\"x\",\"force\":true} | force | has only \"reason\"",
      })
  void aBadCancelBodyIsRefusedAndTheRunIsNotCancelled(String body, String parameter, String message)
      throws Exception {
    engine.runs.put("o-1", order("o-1", RunStatus.RUNNING));

    Answer a = http.post("/sagas/runs/o-1/cancel", body);

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.text("parameter")).isEqualTo(parameter);
    assertThat(a.text("message")).contains(message);
    assertThat(engine.actions()).isEmpty();
    assertThat(engine.runs.get("o-1").status()).isEqualTo(RunStatus.RUNNING);
  }

  @Test
  void cancellingAnEndedRunIs409WithTheEnginesReason() throws Exception {
    engine.runs.put("o-1", order("o-1", RunStatus.COMPLETED));

    Answer a = http.post("/sagas/runs/o-1/cancel", "{\"reason\":\"late\"}");

    assertThat(a.status()).isEqualTo(409);
    assertThat(a.text("value")).isEqualTo("o-1");
    assertThat(a.text("message")).contains("has ended COMPLETED");
    assertThat(engine.runs.get("o-1").status()).isEqualTo(RunStatus.COMPLETED);
  }

  @Test
  void retryAndSkipActOnAParkedRunAndAre409OnAnyOther() throws Exception {
    engine.runs.put("p", order("p", RunStatus.PARKED));
    engine.runs.put("q", order("q", RunStatus.PARKED));
    engine.runs.put("w", order("w", RunStatus.WAITING));

    Answer retried = http.post("/sagas/runs/p/retry");
    Answer skipped = http.post("/sagas/runs/q/skip");
    Answer notParked = http.post("/sagas/runs/w/retry");
    Answer notParkedSkip = http.post("/sagas/runs/w/skip");

    assertThat(retried.status()).isEqualTo(200);
    assertThat(retried.text("status")).isEqualTo("RUNNING");
    assertThat(skipped.status()).isEqualTo(200);
    assertThat(skipped.text("action")).isEqualTo("skip");
    assertThat(notParked.status()).isEqualTo(409);
    assertThat(notParked.text("message")).contains("not PARKED");
    assertThat(notParkedSkip.status()).isEqualTo(409);
    assertThat(engine.runs.get("w").status()).isEqualTo(RunStatus.WAITING);
  }

  @Test
  void aSignalDeliversItsJsonPayload() throws Exception {
    engine.runs.put("o-1", order("o-1", RunStatus.WAITING));

    Answer a = http.post("/sagas/runs/o-1/signals/approved", "{\"by\":\"ana\",\"amount\":12}");
    Answer none = http.post("/sagas/runs/o-1/signals/approved", "null");

    assertThat(a.status()).isEqualTo(202);
    assertThat(a.text("signal")).isEqualTo("approved");
    assertThat(a.json().path("accepted").asBoolean()).isTrue();
    assertThat(none.status()).isEqualTo(202);
    assertThat(engine.signals)
        .extracting(Object::toString)
        .containsExactly("{\"by\":\"ana\",\"amount\":12}", "null");
  }

  @ParameterizedTest(name = "body={0} name={1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "`` | approved | body | the body is empty",
        "{\"by\": | approved | body | not valid JSON",
        "{} {} | approved | body | not valid JSON",
        "{\"a\":1,\"a\":2} | approved | body | Duplicate field",
        "true | bad%20name | name | name must be 1 to 128",
      })
  void aBadSignalIsRefusedAndNothingIsDelivered(
      String body, String name, String parameter, String message) throws Exception {
    engine.runs.put("o-1", order("o-1", RunStatus.WAITING));

    Answer a = http.post("/sagas/runs/o-1/signals/" + name, body);

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.text("parameter")).isEqualTo(parameter);
    assertThat(a.text("message")).contains(message);
    assertThat(engine.signals).isEmpty();
    assertThat(engine.actions()).isEmpty();
  }

  @Test
  void aSignalOverTheEnginesPayloadLimitIs413NamingItsSize() throws Exception {
    engine.runs.put("o-1", order("o-1", RunStatus.WAITING));
    String payload = "\"" + "p".repeat(engine.maxPayloadBytes - 1) + "\"";
    String atLimit = "\"" + "p".repeat(engine.maxPayloadBytes - 2) + "\"";

    Answer over = http.post("/sagas/runs/o-1/signals/note", payload);
    Answer at = http.post("/sagas/runs/o-1/signals/note", atLimit);

    assertThat(over.status()).isEqualTo(413);
    assertThat(over.text("error")).isEqualTo("payload_too_large");
    assertThat(over.text("value")).isEqualTo((engine.maxPayloadBytes + 1) + " bytes");
    assertThat(over.text("message")).contains("signal note").contains("limit of 64");
    assertThat(at.status()).isEqualTo(202);
    assertThat(engine.signals).extracting(Object::toString).containsExactly(atLimit);
  }

  @Test
  void aBodyOverTheServersLimitIsRefusedBeforeTheRoute() throws Exception {
    engine.runs.put("o-1", order("o-1", RunStatus.WAITING));

    Answer a = http.post("/sagas/runs/o-1/signals/note", "\"" + "p".repeat(MAX_BODY) + "\"");

    assertThat(a.status()).isEqualTo(413);
    assertThat(engine.actions()).isEmpty();
  }

  @Test
  void aSignalToAnUnknownRunIs404() throws Exception {
    Answer a = http.post("/sagas/runs/ghost/signals/approved", "{}");

    assertThat(a.status()).isEqualTo(404);
    assertThat(a.text("value")).isEqualTo("ghost");
    assertThat(engine.signals).isEmpty();
  }

  @Test
  void definitionsNameTheExecutorWhatIsRegisteredAndWhatIsMissing() throws Exception {
    engine.missing = List.of("order@2", "refund@1");

    Answer a = http.get("/sagas/definitions");

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.text("executorId")).isEqualTo("executor-a");
    assertThat(a.json().path("missing").toString()).isEqualTo("[\"order@2\",\"refund@1\"]");
    assertThat(a.json().path("registered").toString()).isEqualTo("[\"order@3\",\"refund@1\"]");
  }

  @Test
  void anUnreachableStoreIs503NamingTheStore() throws Exception {
    engine.storeDown = true;

    Answer list = http.get("/sagas/runs");
    Answer one = http.get("/sagas/runs/o-1");

    assertThat(list.status()).isEqualTo(503);
    assertThat(list.text("error")).isEqualTo("store_unavailable");
    assertThat(list.text("message")).contains("jdbc:sqlite:/tmp/sagas.db");
    assertThat(one.status()).isEqualTo(503);
  }

  @ParameterizedTest(name = "''{0}''")
  @CsvSource({"''", "sagas", "/sagas/", "/", "/{x}"})
  void aMalformedPrefixIsRefusedByName(String prefix) {
    assertThatThrownBy(() -> SagaRoutes.register(BulwarkServer.builder(), prefix, engine))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + prefix + "'");
  }

  static RunView order(String id, RunStatus status) {
    return new RunView(
        id,
        "order",
        3,
        status,
        "default",
        0,
        null,
        "{\"sku\":\"pen\"}",
        null,
        null,
        null,
        T0,
        T0,
        Map.of(),
        List.of(),
        List.of());
  }

  static RunView parkedOrder(String id) {
    return new RunView(
        id,
        "order",
        3,
        RunStatus.PARKED,
        "checkout",
        7,
        null,
        "{\"sku\":\"pen\",\"quantity\":2}",
        null,
        "compensation of step reserve exhausted 10 attempts",
        "executor-a",
        T0,
        T0.plusSeconds(30),
        Map.of("phase", "\"refunding\"", "tries", "3"),
        List.of(
            new StepView(
                0,
                "reserve",
                "STEP",
                "COMPENSATION_FAILED",
                "{\"reservation\":\"r-1\"}",
                "inventory answered 503",
                1,
                10,
                null,
                T0.plusSeconds(1),
                T0.plusSeconds(2)),
            new StepView(
                1,
                "charge",
                "STEP",
                "FAILED",
                null,
                "card declined",
                5,
                0,
                null,
                T0.plusSeconds(2),
                T0.plusSeconds(20))),
        List.of(
            new RunEvent(T0, "started", "order@3"),
            new RunEvent(T0.plusSeconds(20), "compensate", "step charge failed: card declined"),
            new RunEvent(T0.plusSeconds(30), "parked", "compensation of step reserve failed")));
  }
}
