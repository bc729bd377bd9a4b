package io.bulwark.telemetry.slo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusRulesTest {

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> rules(String yaml, int group) throws Exception {
    Map<String, Object> tree = new ObjectMapper(new YAMLFactory()).readValue(yaml, Map.class);
    List<Map<String, Object>> groups = (List<Map<String, Object>>) tree.get("groups");
    Object rules = java.util.Objects.requireNonNull(groups).get(group).get("rules");
    return (List<Map<String, Object>>) java.util.Objects.requireNonNull(rules);
  }

  @Test
  @SuppressWarnings("unchecked")
  void generatedYamlHasTheDocumentedShape() throws Exception {
    Slo slo =
        Slo.builder("checkout").sli(Sli.endpointAvailability("checkout")).objective(0.999).build();
    String yaml = PrometheusRules.toYaml(List.of(slo));
    assertThat(yaml).startsWith("groups:\n- name: bulwark-slo-checkout\n  rules:\n");

    List<Map<String, Object>> rules = rules(yaml, 0);
    assertThat(rules).hasSize(5 + 3); // one recording rule per distinct window, one alert each
    assertThat(rules.subList(0, 5))
        .extracting(r -> r.get("record"))
        .containsExactly(
            "bulwark:slo_error_ratio:rate5m",
            "bulwark:slo_error_ratio:rate30m",
            "bulwark:slo_error_ratio:rate1h",
            "bulwark:slo_error_ratio:rate6h",
            "bulwark:slo_error_ratio:rate3d");
    assertThat(rules.get(0))
        .containsEntry(
            "expr",
            "sum(rate(bulwark_endpoint_requests_total{endpoint=\"checkout\",outcome!=\"success\"}[5m]))"
                + " / sum(rate(bulwark_endpoint_requests_total{endpoint=\"checkout\"}[5m]))")
        .containsEntry("labels", Map.of("slo", "checkout"));

    Map<String, Object> page = rules.get(5);
    assertThat(page.get("alert")).isEqualTo("BulwarkSloBurnRate");
    assertThat(page.get("expr"))
        .isEqualTo(
            "bulwark:slo_error_ratio:rate1h{slo=\"checkout\"} > (14.4 * 0.001)"
                + " and bulwark:slo_error_ratio:rate5m{slo=\"checkout\"} > (14.4 * 0.001)");
    assertThat(page.get("labels"))
        .isEqualTo(
            Map.of(
                "severity", "page", "slo", "checkout", "long_window", "1h", "short_window", "5m"));
    assertThat((Map<String, Object>) page.get("annotations"))
        .containsKeys("summary", "description");
    assertThat(rules.get(6).get("expr"))
        .isEqualTo(
            "bulwark:slo_error_ratio:rate6h{slo=\"checkout\"} > (6 * 0.001)"
                + " and bulwark:slo_error_ratio:rate30m{slo=\"checkout\"} > (6 * 0.001)");
    Map<String, Object> ticket = rules.get(7);
    assertThat(ticket.get("expr"))
        .isEqualTo(
            "bulwark:slo_error_ratio:rate3d{slo=\"checkout\"} > (1 * 0.001)"
                + " and bulwark:slo_error_ratio:rate6h{slo=\"checkout\"} > (1 * 0.001)");
    assertThat((Map<String, Object>) ticket.get("labels")).containsEntry("severity", "ticket");
  }

  @Test
  void latencySloUsesTheThresholdBucket() throws Exception {
    Slo slo =
        Slo.builder("search-latency")
            .sli(Sli.endpointLatency("search", Duration.ofMillis(250)))
            .objective(0.99)
            .alerts(List.of(BurnRateAlert.sreWorkbookDefaults().get(0)))
            .build();
    List<Map<String, Object>> rules = rules(PrometheusRules.toYaml(List.of(slo)), 0);
    assertThat(rules).hasSize(3);
    assertThat(rules.get(0).get("expr"))
        .isEqualTo(
            "1 - (sum(rate(bulwark_endpoint_duration_seconds_bucket{endpoint=\"search\",le=\"0.25\"}[5m]))"
                + " / sum(rate(bulwark_endpoint_duration_seconds_count{endpoint=\"search\"}[5m])))");
    assertThat(String.valueOf(rules.get(2).get("expr"))).contains("> (14.4 * 0.01)");
  }

  @Test
  void minimumEventsBecomesAnExtraClauseOnEachAlert() throws Exception {
    Slo slo =
        Slo.builder("quiet")
            .sli(Sli.endpointAvailability("admin"))
            .objective(0.99)
            .minimumEvents(500)
            .alerts(List.of(BurnRateAlert.sreWorkbookDefaults().get(0)))
            .build();
    List<Map<String, Object>> rules = rules(PrometheusRules.toYaml(List.of(slo)), 0);
    assertThat(rules.get(2).get("expr"))
        .isEqualTo(
            "bulwark:slo_error_ratio:rate1h{slo=\"quiet\"} > (14.4 * 0.01)"
                + " and bulwark:slo_error_ratio:rate5m{slo=\"quiet\"} > (14.4 * 0.01)"
                + " and on() (sum(increase(bulwark_endpoint_requests_total{endpoint=\"admin\"}[1h])) >= 500)");
  }
}
