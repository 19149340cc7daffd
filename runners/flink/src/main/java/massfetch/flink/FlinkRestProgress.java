package massfetch.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import massfetch.metrics.JobMetrics;
import massfetch.pipeline.MassfetchOptions;

/**
 * Progress lines for a job submitted to a Flink cluster, read from the cluster's REST API: the
 * FlinkRunner's {@code run()} blocks until an attached job ends, so {@link ProgressReporter} has no
 * {@code PipelineResult} to ask while it runs.
 *
 * <p>On Flink batch (the DataSet translation Beam uses by default) every subtask is one bundle, and
 * Beam hands its metrics to Flink only when a bundle ends. So while the job runs this counts results
 * with Flink's own live record counter of the {@code FetchAndStore} operator ({@code numRecordsOut},
 * summed over subtasks), and adds the {@code massfetch} Beam metrics as subtasks publish them; the
 * final numbers come from the {@code PipelineResult} and {@code summary.json} as on any runner.
 *
 * <pre>{@code
 * FlinkRestProgress.startIfCluster(options, master, err);   // before p.run()
 * }</pre>
 */
final class FlinkRestProgress implements Runnable {
  private static final Pattern FETCH_RECORDS_OUT = Pattern.compile(".*FetchAndStore[^.]*\\)\\)\\.numRecordsOut");
  private static final Set<String> TERMINAL = Set.of("FINISHED", "FAILED", "CANCELED", "SUSPENDED");

  private final String restUrl;
  private final String jobName;
  private final PrintStream out;
  private final long intervalMillis;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();
  private final long startNanos = System.nanoTime();
  private long lastDone;
  private long lastNanos = startNanos;

  FlinkRestProgress(String restUrl, String jobName, PrintStream out, long intervalMillis) {
    this.restUrl = restUrl.endsWith("/") ? restUrl.substring(0, restUrl.length() - 1) : restUrl;
    this.jobName = jobName;
    this.out = out;
    this.intervalMillis = intervalMillis;
  }

  /**
   * When {@code options} submit to a Flink cluster ({@code --flinkMaster=host:port}), starts a daemon
   * thread that prints a progress line every {@code --progressIntervalSeconds} until the job ends.
   * Does nothing for other runners, the embedded Flink, or an interval of 0.
   */
  static void startIfCluster(MassfetchOptions options, Optional<String> master, PrintStream out) {
    int interval = options.getProgressIntervalSeconds();
    if (interval <= 0 || master.isEmpty()) {
      return;
    }
    String m = master.get().strip();
    String url = m.contains("://") ? m : "http://" + m;
    Thread t = new Thread(
        new FlinkRestProgress(url, options.getJobName(), out, interval * 1000L), "massfetch-flink-progress");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void run() {
    Optional<String> jid = Optional.empty();
    try {
      while (true) {
        Thread.sleep(intervalMillis);
        try {
          if (jid.isEmpty()) {
            jid = findJob();
            if (jid.isEmpty()) {
              continue; // still being submitted
            }
          }
          JsonNode job = get("/jobs/" + jid.get());
          String state = job.path("state").asText();
          out.println(line(jid.get(), state, job));
          if (TERMINAL.contains(state)) {
            return;
          }
        } catch (IOException e) {
          // The REST API is busy or restarting: skip this line, try the next.
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The newest job on the cluster with our job name (Beam names Flink jobs after --jobName). */
  private Optional<String> findJob() throws IOException, InterruptedException {
    String newest = null;
    long newestStart = Long.MIN_VALUE;
    for (JsonNode j : get("/jobs/overview").path("jobs")) {
      if (jobName.equals(j.path("name").asText()) && j.path("start-time").asLong() > newestStart) {
        newest = j.path("jid").asText();
        newestStart = j.path("start-time").asLong();
      }
    }
    return Optional.ofNullable(newest);
  }

  private String line(String jid, String state, JsonNode job) throws IOException, InterruptedException {
    long done = 0;
    long total = 0;
    long bytes = 0;
    for (JsonNode vertex : job.path("vertices")) {
      String base = "/jobs/" + jid + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
      List<String> wanted = new ArrayList<>();
      for (JsonNode m : get(base)) {
        String id = m.path("id").asText();
        if (!id.contains(",") && (FETCH_RECORDS_OUT.matcher(id).matches() || id.contains("." + JobMetrics.NAMESPACE + "."))) {
          wanted.add(id);
        }
      }
      if (wanted.isEmpty()) {
        continue;
      }
      String query = wanted.stream()
          .map(id -> URLEncoder.encode(id, StandardCharsets.UTF_8))
          .collect(Collectors.joining(","));
      for (JsonNode m : get(base + "?agg=sum&get=" + query)) {
        String id = m.path("id").asText();
        long sum = (long) m.path("sum").asDouble();
        if (FETCH_RECORDS_OUT.matcher(id).matches()) {
          done = Math.max(done, sum);
        } else if (id.endsWith("." + JobMetrics.MANIFEST_ENTRIES)) {
          total += sum;
        } else if (id.endsWith("." + JobMetrics.BYTES_STORED)) {
          bytes += sum;
        }
      }
    }
    long restarts = 0;
    for (JsonNode m : get("/jobs/" + jid + "/metrics?get=numRestarts")) {
      restarts = (long) m.path("value").asDouble();
    }
    long now = System.nanoTime();
    double rate = (done - lastDone) / Math.max(1e-3, (now - lastNanos) / 1e9);
    lastDone = done;
    lastNanos = now;
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "progress: %,d fetched, %,.0f/s", done, rate));
    if (total > 0) {
      b.append(String.format(Locale.ROOT, ", %,d total", total));
      if (rate > 0 && total > done) {
        b.append(String.format(Locale.ROOT, ", ETA %ds", (long) ((total - done) / rate)));
      }
    }
    if (bytes > 0) {
      b.append(String.format(Locale.ROOT, ", %,d bytes stored by finished subtasks", bytes));
    }
    b.append(String.format(Locale.ROOT, "; Flink job %s %s", jid, state));
    if (restarts > 0) {
      b.append(String.format(Locale.ROOT, ", restarted %d time%s (counts start again)", restarts, restarts == 1 ? "" : "s"));
    }
    return b.toString();
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(restUrl + path))
        .timeout(Duration.ofSeconds(10))
        .GET()
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("HTTP " + response.statusCode() + " from " + path);
    }
    return json.readTree(response.body());
  }
}
