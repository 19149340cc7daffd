package massfetch.manifest;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import massfetch.model.FetchRequest;
import massfetch.results.MalformedResultException;
import massfetch.results.ResultRecord;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Turns the lines of one manifest file into requests. Stateful only for CSV/TSV, whose first entry
 * line is the header; one instance per file.
 */
final class ManifestParser {
  private static final Pattern HEX_MD5 = Pattern.compile("[0-9a-fA-F]{32}");

  private final ManifestFormat format;
  private final @Nullable String baseUrl;
  private final String source;
  private final boolean onlyFailed;
  private final boolean pathsEncoded;
  private @Nullable Map<String, Integer> columns; // CSV/TSV header, once read
  private @Nullable String headerProblem;

  ManifestParser(ManifestFormat format, @Nullable String baseUrl, String source) {
    this(format, baseUrl, source, false);
  }

  /**
   * @param onlyFailed results records other than {@code failed} are no entries (text and CSV lines
   *     are not affected)
   */
  ManifestParser(ManifestFormat format, @Nullable String baseUrl, String source, boolean onlyFailed) {
    this(format, baseUrl, source, onlyFailed, false);
  }

  /** @param pathsEncoded relative paths are already percent-encoded; see {@link UrlPaths#join}. */
  ManifestParser(
      ManifestFormat format, @Nullable String baseUrl, String source, boolean onlyFailed, boolean pathsEncoded) {
    this.format = format;
    this.baseUrl = baseUrl;
    this.source = source;
    this.onlyFailed = onlyFailed;
    this.pathsEncoded = pathsEncoded;
  }

  /** Whether a line holds no entry: blank, or a {@code #} comment. */
  static boolean isSkippable(String line) {
    String t = line.strip();
    return t.isEmpty() || t.startsWith("#");
  }

  /**
   * Parses one non-skippable line: a request, or null when the line is no entry (the CSV header, or
   * with {@code onlyFailed} a results record that did not fail).
   *
   * @throws InvalidEntryException with the reason when the line cannot be an entry
   */
  @Nullable
  FetchRequest parse(String line, long lineNumber) throws InvalidEntryException {
    // A text line starting with '{' is no path or URL: read it as a results record, so a results
    // file renamed .txt (or one record pasted into a text manifest) still works.
    if (format == ManifestFormat.RESULTS
        || (format == ManifestFormat.TEXT && ResultRecord.looksLikeRecord(line))) {
      return fromRecord(line, lineNumber);
    }
    if (format == ManifestFormat.TEXT) {
      return fromLocation(line.strip(), null, null, null, lineNumber);
    }
    if (columns == null && headerProblem == null) {
      readHeader(line);
      if (headerProblem != null) {
        throw new InvalidEntryException(headerProblem);
      }
      return null;
    }
    if (headerProblem != null) {
      throw new InvalidEntryException(headerProblem);
    }
    return fromRow(line, lineNumber);
  }

  private void readHeader(String line) {
    List<String> names;
    try {
      names = parseRow(line);
    } catch (InvalidEntryException e) {
      headerProblem = "unreadable " + format.name() + " header: " + e.getMessage();
      return;
    }
    Map<String, Integer> map = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      map.putIfAbsent(names.get(i).strip().toLowerCase(Locale.ROOT), i);
    }
    if (!map.containsKey("url") && !map.containsKey("path")) {
      headerProblem = format.name() + " header must name a 'url' or 'path' column";
      return;
    }
    columns = map;
  }

  private FetchRequest fromRow(String line, long lineNumber) throws InvalidEntryException {
    List<String> cells = parseRow(line);
    String url = cell(cells, "url");
    String path = cell(cells, "path");
    String location = url != null ? url : path;
    if (location == null) {
      throw new InvalidEntryException("row has no url or path");
    }
    return fromLocation(location, cell(cells, "key"), cell(cells, "size"), cell(cells, "md5"), lineNumber);
  }

  /**
   * A results record as an entry: its url is fetched again and its key kept as the object key (the
   * url of an absolute record alone would give {@code host/path}, not the key it was stored under).
   */
  private @Nullable FetchRequest fromRecord(String line, long lineNumber) throws InvalidEntryException {
    ResultRecord r;
    try {
      r = ResultRecord.parse(line);
    } catch (MalformedResultException e) {
      throw new InvalidEntryException("unreadable results record: " + e.getMessage());
    }
    if (onlyFailed && !r.isFailed()) {
      return null;
    }
    if (r.isInvalidEntry()) {
      // Its url field holds the bad input, shortened and with control characters masked: fetching
      // it could store a wrong object. The line it came from must be fixed and fed again.
      throw new InvalidEntryException("invalid_entry in an earlier run, so it cannot be fetched from its record ("
          + (r.source() != null ? r.source() : "unknown source")
          + (r.line() != null ? " line " + r.line() : "")
          + (r.detail() != null ? ": " + r.detail() : "")
          + "); fix that manifest line and run it again");
    }
    if (r.url() == null || r.url().isBlank()) {
      throw new InvalidEntryException("results record has no url");
    }
    String key = r.key() == null || r.key().isBlank() ? null : r.key();
    return fromLocation(r.url().strip(), key, null, null, lineNumber);
  }

  private @Nullable String cell(List<String> cells, String name) {
    Integer i = columns.get(name);
    if (i == null || i >= cells.size()) {
      return null;
    }
    String v = cells.get(i).strip();
    return v.isEmpty() ? null : v;
  }

  private List<String> parseRow(String line) throws InvalidEntryException {
    CSVFormat csv = format == ManifestFormat.TSV ? CSVFormat.TDF : CSVFormat.DEFAULT;
    try (CSVParser parser = CSVParser.parse(new StringReader(line), csv)) {
      List<CSVRecord> records = parser.getRecords();
      if (records.size() != 1) {
        throw new InvalidEntryException("expected one " + format.name() + " row on the line");
      }
      return records.get(0).toList();
    } catch (IOException | UncheckedIOException | IllegalStateException e) {
      throw new InvalidEntryException("malformed " + format.name() + " row (" + firstLine(e.getMessage()) + ")");
    }
  }

  private FetchRequest fromLocation(
      String location,
      @Nullable String keyColumn,
      @Nullable String size,
      @Nullable String md5,
      long lineNumber)
      throws InvalidEntryException {
    String url;
    String key;
    if (location.contains("://")) {
      URI uri = absoluteUrl(location);
      url = uri.toString();
      key = ObjectKeys.forUrl(uri);
    } else {
      if (baseUrl == null) {
        throw new InvalidEntryException("relative path but no --baseUrl was given");
      }
      key = ObjectKeys.checked(location);
      url = UrlPaths.join(baseUrl, location, pathsEncoded);
    }
    if (keyColumn != null) {
      key = ObjectKeys.checked(keyColumn);
    }
    return FetchRequest.builder()
        .setUrl(url)
        .setKey(key)
        .setSource(source)
        .setLine(lineNumber)
        .setExpectedSize(parseSize(size))
        .setExpectedMd5(parseMd5(md5))
        .build();
  }

  private static URI absoluteUrl(String location) throws InvalidEntryException {
    URI uri;
    try {
      uri = new URI(location);
    } catch (URISyntaxException e) {
      throw new InvalidEntryException("not a valid URL (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new InvalidEntryException("only http and https URLs are fetched, not '" + scheme + "'");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new InvalidEntryException("URL has no host");
    }
    if (uri.getRawUserInfo() != null) {
      throw new InvalidEntryException("URL carries credentials; pass them with --header instead");
    }
    return uri;
  }

  private static @Nullable Long parseSize(@Nullable String size) throws InvalidEntryException {
    if (size == null) {
      return null;
    }
    try {
      long n = Long.parseLong(size);
      if (n < 0) {
        throw new InvalidEntryException("negative size");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new InvalidEntryException("size is not a whole number");
    }
  }

  /** MD5 as lower-case hex, from hex or base64 (as GCS lists it). */
  static @Nullable String parseMd5(@Nullable String md5) throws InvalidEntryException {
    if (md5 == null) {
      return null;
    }
    if (HEX_MD5.matcher(md5).matches()) {
      return md5.toLowerCase(Locale.ROOT);
    }
    try {
      byte[] bytes = Base64.getDecoder().decode(md5);
      if (bytes.length == 16) {
        return HexFormat.of().formatHex(bytes);
      }
    } catch (IllegalArgumentException e) {
      // Neither hex nor base64: reported below.
    }
    throw new InvalidEntryException("md5 is neither 32 hex digits nor base64 of 16 bytes");
  }

  private static String firstLine(@Nullable String message) {
    if (message == null) {
      return "no detail";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
