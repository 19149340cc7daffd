package massfetch.results;

import java.util.List;

/**
 * The field names of a result record ({@code results-*.jsonl}), written by {@link ResultJson} and read
 * back by {@link ResultRecord}: the one place they are spelled, so a writer and a reader cannot
 * drift apart.
 */
public final class ResultFields {
  public static final String URL = "url";
  public static final String KEY = "key";
  public static final String STATUS = "status";
  public static final String HTTP_STATUS = "http_status";
  public static final String BYTES = "bytes";
  public static final String MD5 = "md5";
  public static final String CONTENT_TYPE = "content_type";
  public static final String ATTEMPTS = "attempts";
  public static final String ELAPSED_MS = "elapsed_ms";
  public static final String ERROR = "error";
  public static final String DETAIL = "detail";
  public static final String SOURCE = "source";
  public static final String LINE = "line";
  /** Tar mode only: the shard holding the image and the offset of its data in it. */
  public static final String SHARD = "shard";
  public static final String OFFSET = "offset";

  /** Every field a record always has, in the order it lists them. */
  public static final List<String> ALL = List.of(
      URL, KEY, STATUS, HTTP_STATUS, BYTES, MD5, CONTENT_TYPE, ATTEMPTS, ELAPSED_MS, ERROR, DETAIL, SOURCE, LINE);

  private ResultFields() {}
}
