package massfetch.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import massfetch.model.FetchResult;

/**
 * Counts over all results of a run: {@code total = ok + skipped + failed}, bytes, and failures per
 * error class. Mergeable, so it is computed with a combiner over any number of workers.
 */
public final class Summary implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  long ok;
  long skipped;
  long failed;
  long bytes;
  final TreeMap<String, Long> errors = new TreeMap<>();
  final TreeMap<String, Long> skips = new TreeMap<>();

  void add(FetchResult r) {
    switch (r.getStatus()) {
      case OK:
        ok++;
        bytes += r.getBytes();
        break;
      case SKIPPED:
        skipped++;
        skips.merge(String.valueOf(r.getError()), 1L, Long::sum);
        break;
      case FAILED:
        failed++;
        errors.merge(String.valueOf(r.getError()), 1L, Long::sum);
        break;
    }
  }

  /** Adds one record read back from a results file (status by its wire name). */
  void add(String status, String error, long recordBytes) {
    switch (status) {
      case "ok":
        ok++;
        bytes += recordBytes;
        break;
      case "skipped":
        skipped++;
        skips.merge(String.valueOf(error), 1L, Long::sum);
        break;
      case "failed":
        failed++;
        errors.merge(String.valueOf(error), 1L, Long::sum);
        break;
      default:
        throw new IllegalArgumentException("not a result status: " + status);
    }
  }

  void merge(Summary other) {
    ok += other.ok;
    skipped += other.skipped;
    failed += other.failed;
    bytes += other.bytes;
    other.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
    other.skips.forEach((k, v) -> skips.merge(k, v, Long::sum));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Summary)) {
      return false;
    }
    Summary s = (Summary) o;
    return ok == s.ok && skipped == s.skipped && failed == s.failed && bytes == s.bytes
        && errors.equals(s.errors) && skips.equals(s.skips);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(ok, skipped, failed, bytes, errors, skips);
  }

  public long total() {
    return ok + skipped + failed;
  }

  /** summary.json: the counts, plus wall time and rate measured from {@code startMillis}. */
  public String toJson(long startMillis, long nowMillis) {
    return toJson(startMillis, nowMillis, null);
  }

  /** summary.json, naming the {@code output} the run stored into (left out when null). */
  public String toJson(long startMillis, long nowMillis, String output) {
    double elapsed = Math.max(0.001, (nowMillis - startMillis) / 1000.0);
    ObjectNode o = MAPPER.createObjectNode();
    o.put("total", total());
    o.put("ok", ok);
    o.put("skipped", skipped);
    o.put("failed", failed);
    o.put("bytes", bytes);
    o.put("elapsed_s", Math.round(elapsed * 1000) / 1000.0);
    o.put("images_per_s", Math.round(total() / elapsed * 10) / 10.0);
    o.set("errors", MAPPER.valueToTree(sorted(errors)));
    o.set("skips", MAPPER.valueToTree(sorted(skips)));
    if (output != null) {
      o.put("output", output);
    }
    try {
      return MAPPER.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of numbers always serialises", e);
    }
  }

  private static Map<String, Long> sorted(Map<String, Long> m) {
    return new TreeMap<>(m);
  }
}
