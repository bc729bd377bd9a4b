package io.bulwark.bench.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the {@code wrk} load generator and parses its report. */
public final class Wrk {
  public record Result(double rps, double p50Millis, double p99Millis) {}

  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

  private Wrk() {}

  public static boolean available() {
    try {
      Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public static Result run(String url, int connections, int seconds) throws Exception {
    List<String> command =
        List.of("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency", url);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(seconds + 30L, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("wrk failed: " + out);
    }
    if (out.contains("Non-2xx")) {
      throw new IllegalStateException("wrk saw non-2xx answers from " + url + ":\n" + out);
    }
    Matcher m = RPS.matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no Requests/sec in wrk output:\n" + out);
    }
    return new Result(
        Double.parseDouble(m.group(1)), percentile(out, "50%"), percentile(out, "99%"));
  }

  /** Parses a line like {@code 99% 1.23ms} of the latency distribution, in milliseconds. */
  private static double percentile(String out, String label) {
    Matcher m =
        Pattern.compile(
                "^\\s*" + Pattern.quote(label) + "\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE)
            .matcher(out);
    if (!m.find()) {
      return Double.NaN;
    }
    double v = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "us" -> v / 1000;
      case "s" -> v * 1000;
      default -> v;
    };
  }
}
