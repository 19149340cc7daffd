package massfetch.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import javax.annotation.Nullable;
import massfetch.model.ErrorClass;
import massfetch.model.Status;

/**
 * One line of a results file ({@code results-*.jsonl}, as {@link ResultJson} writes it) read back,
 * leniently: every field may be missing, so a record written by hand or by an older version is still
 * usable. Used where earlier results feed a new run: as a manifest, and as the keys already done.
 *
 * <pre>{@code
 * ResultRecord r = ResultRecord.parse(line);   // throws MalformedResultException
 * if (r.isDone()) { ... r.key() ... }
 * }</pre>
 */
public final class ResultRecord {
  // Trailing tokens fail: "{...} junk" is a damaged line, not a record.
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final @Nullable String url;
  private final @Nullable String key;
  private final @Nullable String status;
  private final @Nullable String error;
  private final @Nullable String detail;
  private final @Nullable String source;
  private final @Nullable Long line;

  private ResultRecord(
      @Nullable String url,
      @Nullable String key,
      @Nullable String status,
      @Nullable String error,
      @Nullable String detail,
      @Nullable String source,
      @Nullable Long line) {
    this.url = url;
    this.key = key;
    this.status = status;
    this.error = error;
    this.detail = detail;
    this.source = source;
    this.line = line;
  }

  /** Whether {@code line} looks like a JSON record rather than a path or URL. */
  public static boolean looksLikeRecord(String line) {
    return line.stripLeading().startsWith("{");
  }

  /**
   * Reads one JSON object.
   *
   * @throws MalformedResultException when the line is not one JSON object, or a field has the wrong
   *     type (a url that is a number is damage, not a missing url)
   */
  public static ResultRecord parse(String line) throws MalformedResultException {
    JsonNode node;
    try {
      node = MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      throw new MalformedResultException("malformed JSON (" + e.getOriginalMessage() + ")");
    }
    if (node == null || !node.isObject()) {
      throw new MalformedResultException("not a JSON object");
    }
    return new ResultRecord(
        text(node, ResultFields.URL),
        text(node, ResultFields.KEY),
        text(node, ResultFields.STATUS),
        text(node, ResultFields.ERROR),
        text(node, ResultFields.DETAIL),
        text(node, ResultFields.SOURCE),
        number(node, ResultFields.LINE));
  }

  private static @Nullable String text(JsonNode node, String field) throws MalformedResultException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new MalformedResultException("field '" + field + "' is not a string");
    }
    return v.asText();
  }

  private static @Nullable Long number(JsonNode node, String field) throws MalformedResultException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.canConvertToLong() || !v.isIntegralNumber()) {
      throw new MalformedResultException("field '" + field + "' is not a whole number");
    }
    return v.asLong();
  }

  public @Nullable String url() {
    return url;
  }

  public @Nullable String key() {
    return key;
  }

  /** {@code ok}, {@code skipped}, {@code failed}, or whatever else (or nothing) the line said. */
  public @Nullable String status() {
    return status;
  }

  public @Nullable String error() {
    return error;
  }

  public @Nullable String detail() {
    return detail;
  }

  public @Nullable String source() {
    return source;
  }

  public @Nullable Long line() {
    return line;
  }

  public boolean isFailed() {
    return Status.FAILED.wireName().equals(status);
  }

  /** Whether the record was an {@code invalid_entry}: its url holds the bad input, not a URL. */
  public boolean isInvalidEntry() {
    return ErrorClass.INVALID_ENTRY.equals(error);
  }

  /**
   * Whether the record proves its key's object was stored: {@code ok}, or skipped because the object
   * {@code exists} or was {@code done_before} — so a chain of resumed runs only ever needs the last
   * run's results. A skipped {@code duplicate_entry} proves nothing (its first entry has its own
   * record).
   */
  public boolean isDone() {
    if (key == null || key.isEmpty()) {
      return false;
    }
    if (Status.OK.wireName().equals(status)) {
      return true;
    }
    return Status.SKIPPED.wireName().equals(status)
        && (ErrorClass.SKIP_EXISTS.equals(error) || ErrorClass.SKIP_DONE_BEFORE.equals(error));
  }
}
