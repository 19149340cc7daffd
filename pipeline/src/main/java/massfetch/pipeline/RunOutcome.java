package massfetch.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a finished run's summary.json means to whoever started it: a warning when the manifest gave
 * nothing to fetch (no entries, or only invalid ones: usually the wrong file or format), and exit
 * code {@value #TOO_MANY_FAILURES} when more entries failed than {@code --maxFailureRatio} allows.
 */
final class RunOutcome {
  /** The exit code of a run that finished with more failures than --maxFailureRatio. */
  static final int TOO_MANY_FAILURES = 3;

  /** Error classes named in the exit-3 line: enough to tell a dead host from a bad manifest. */
  private static final int CLASSES_NAMED = 3;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final long total;
  private final long failed;
  private final Map<String, Long> errors;

  private RunOutcome(long total, long failed, Map<String, Long> errors) {
    this.total = total;
    this.failed = failed;
    this.errors = errors;
  }

  /** Reads the counts of a summary.json. */
  static RunOutcome of(String summaryJson) throws IOException {
    JsonNode s = JSON.readTree(summaryJson);
    Map<String, Long> errors = new TreeMap<>();
    s.path("errors").fields().forEachRemaining(e -> errors.put(e.getKey(), e.getValue().asLong()));
    return new RunOutcome(s.path("total").asLong(), s.path("failed").asLong(), errors);
  }

  /** Lines to print on stderr whatever the exit code: the manifest gave nothing to fetch. */
  List<String> warnings() {
    List<String> lines = new ArrayList<>();
    long invalid = errors.getOrDefault("invalid_entry", 0L);
    if (total == 0) {
      lines.add("massfetch: warning: the manifest has no entries (only blank or # lines, or empty): nothing was fetched");
    } else if (invalid == total) {
      lines.add("massfetch: warning: all " + total + " manifest entries are invalid (invalid_entry; each record's"
          + " detail says why): check --manifest's format and --baseUrl");
    }
    return lines;
  }

  /** The line to print and exit with code 3 on, when failed/total is above {@code maxRatio}. */
  Optional<String> tooManyFailures(double maxRatio) {
    if (total == 0 || (double) failed / total <= maxRatio) {
      return Optional.empty();
    }
    String top = errors.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
        .limit(CLASSES_NAMED)
        .map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(", "));
    return Optional.of(String.format(Locale.ROOT,
        "massfetch: error: %d of %d entries failed (%.2f%%, above --maxFailureRatio=%s): %s",
        failed, total, 100.0 * failed / total, ratio(maxRatio), top));
  }

  private static String ratio(double r) {
    return r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r);
  }
}
