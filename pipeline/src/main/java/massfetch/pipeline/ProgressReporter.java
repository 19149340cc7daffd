package massfetch.pipeline;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import massfetch.metrics.JobMetrics;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * Prints a progress line every few seconds from the job's metrics: done, rate, in flight, failures
 * by class, and once the manifest is counted the total and an ETA. Works with any runner whose
 * {@link PipelineResult} answers metric queries while the job runs.
 */
final class ProgressReporter implements AutoCloseable {
  private final PipelineResult result;
  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService timer;
  private long lastDone;
  private long lastNanos = startNanos;

  ProgressReporter(PipelineResult result, PrintStream out, int intervalSeconds) {
    this.result = result;
    this.out = out;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "massfetch-progress");
      t.setDaemon(true);
      return t;
    });
    if (intervalSeconds > 0) {
      timer.scheduleAtFixedRate(this::report, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
    }
  }

  /** The job's counters (namespace massfetch) as name → value, summed over steps. */
  static Map<String, Long> counters(PipelineResult result) {
    Map<String, Long> values = new TreeMap<>();
    MetricQueryResults q =
        result.metrics().queryMetrics(
            MetricsFilter.builder().addNameFilter(MetricNameFilter.inNamespace(JobMetrics.NAMESPACE)).build());
    for (MetricResult<Long> c : q.getCounters()) {
      values.merge(c.getName().getName(), attempted(c), Long::sum);
    }
    for (MetricResult<org.apache.beam.sdk.metrics.GaugeResult> g : q.getGauges()) {
      org.apache.beam.sdk.metrics.GaugeResult v = g.getAttempted();
      if (v != null) {
        values.merge(g.getName().getName(), v.getValue(), Long::sum);
      }
    }
    return values;
  }

  private static long attempted(MetricResult<Long> c) {
    Long v = c.getAttempted();
    return v != null ? v : 0L;
  }

  private void report() {
    try {
      out.println(line(counters(result), System.nanoTime()));
    } catch (RuntimeException e) {
      // Metrics may not be queryable yet (job still starting): skip this line, try the next.
    }
  }

  String line(Map<String, Long> c, long now) {
    long ok = c.getOrDefault(JobMetrics.RESULTS_OK, 0L);
    long skipped = c.getOrDefault(JobMetrics.RESULTS_SKIPPED, 0L);
    long failed = c.getOrDefault(JobMetrics.RESULTS_FAILED, 0L);
    long done = ok + skipped + failed;
    long total = c.getOrDefault(JobMetrics.MANIFEST_ENTRIES, 0L);
    double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
    double rate = (done - lastDone) / seconds;
    lastDone = done;
    lastNanos = now;
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
        "progress %ds: %,d done (ok %,d, skipped %,d, failed %,d), %,.0f/s, in flight %,d",
        (now - startNanos) / 1_000_000_000L, done, ok, skipped, failed, rate, c.getOrDefault(JobMetrics.IN_FLIGHT, 0L)));
    if (total > 0) {
      b.append(String.format(Locale.ROOT, ", %,d total", total));
      if (rate > 0 && total > done) {
        b.append(String.format(Locale.ROOT, ", ETA %ds", (long) ((total - done) / rate)));
      }
    }
    StringBuilder failures = new StringBuilder();
    c.forEach((name, v) -> {
      if (name.startsWith(JobMetrics.FAILED_PREFIX) && v > 0) {
        failures.append(failures.length() == 0 ? "" : " ")
            .append(name.substring(JobMetrics.FAILED_PREFIX.length())).append('=').append(v);
      }
    });
    if (failures.length() > 0) {
      b.append("; failures: ").append(failures);
    }
    return b.toString();
  }

  /** Average requests in flight over the run so far, from the in-flight integral. */
  static double averageInFlight(Map<String, Long> c, double elapsedMs) {
    return c.getOrDefault(JobMetrics.IN_FLIGHT_AREA_MS, 0L) / Math.max(1.0, elapsedMs);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
