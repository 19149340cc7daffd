package massfetch.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import massfetch.results.ResultJson;
import org.junit.jupiter.api.Test;

/** {@link ManifestParser} over an earlier run's results records ({@code results-*.jsonl}) fed as a manifest. */
class ResultsManifestParserTest {
  private static final String BASE = "https://img.example.com/data";
  private static final String SOURCE = "file:///run-1/_results/results-00000-of-00001.jsonl";

  private static ManifestParser results(boolean onlyFailed) {
    return new ManifestParser(ManifestFormat.RESULTS, BASE, SOURCE, onlyFailed);
  }

  private static String record(String url, String key, Status status, String error) {
    return ResultJson.toJson(FetchResult.builder().setUrl(url).setKey(key).setStatus(status).setError(error)
        .setDetail(error == null ? null : "why").setSource("file:///m/manifest.txt").setLine(9).build());
  }

  @Test
  void givenJsonlFileNames_whenFormatChosen_thenResultsFormat() {
    assertEquals(ManifestFormat.RESULTS, ManifestFormat.forFileName("results-00000-of-00004.jsonl"));
    assertEquals(ManifestFormat.RESULTS, ManifestFormat.forFileName("failed.jsonl.gz"));
    assertEquals(ManifestFormat.RESULTS, ManifestFormat.forFileName("x.NDJSON"));
    assertEquals(ManifestFormat.TEXT, ManifestFormat.forFileName("summary.json.txt"));
  }

  @Test
  void givenFailedRecord_whenParsed_thenItsUrlIsFetchedUnderItsOwnKey() throws Exception {
    String line = record("https://img.example.com/data/a/1.png", "a/1.png", Status.FAILED, "timeout");

    FetchRequest r = results(false).parse(line, 4);

    assertEquals("https://img.example.com/data/a/1.png", r.getUrl());
    assertEquals("a/1.png", r.getKey(), "the record's key, not host/path of its url");
    assertEquals(SOURCE, r.getSource(), "the results file is this entry's manifest");
    assertEquals(4, r.getLine());
  }

  @Test
  void givenRecordWithCustomKey_whenParsed_thenKeyKept() throws Exception {
    FetchRequest r = results(false).parse(
        record("http://other.example/x.png", "renamed/x.png", Status.FAILED, "http_503"), 1);

    assertEquals("renamed/x.png", r.getKey());
  }

  @Test
  void givenRecordWithoutKey_whenParsed_thenKeyComesFromTheUrlAsForAnyManifestLine() throws Exception {
    FetchRequest r = results(false).parse("{\"url\":\"http://h.example/p/q.png\"}", 1);

    assertEquals("h.example/p/q.png", r.getKey());
  }

  @Test
  void givenOnlyFailed_whenOkAndSkippedRecordsParsed_thenTheyAreNoEntries() throws Exception {
    ManifestParser p = results(true);

    assertNull(p.parse(record("http://h.example/1.png", "1.png", Status.OK, null), 1));
    assertNull(p.parse(record("http://h.example/2.png", "2.png", Status.SKIPPED, "exists"), 2));
    assertNull(p.parse("{\"url\":\"http://h.example/3.png\"}", 3), "no status: not a failed record");
    assertEquals("4.png", p.parse(record("http://h.example/4.png", "4.png", Status.FAILED, "http_404"), 4).getKey());
  }

  @Test
  void givenNoOnlyFailed_whenOkRecordParsed_thenItIsAnEntry() throws Exception {
    FetchRequest r = results(false).parse(record("http://h.example/1.png", "1.png", Status.OK, null), 1);

    assertEquals("1.png", r.getKey());
  }

  @Test
  void givenMalformedJsonLine_whenParsed_thenInvalidEntryWithTheReason() {
    InvalidEntryException e = assertThrows(InvalidEntryException.class,
        () -> results(true).parse("{\"url\":\"http://h.example/1.png\",\"status\":\"fail", 3));

    assertTrue(e.getMessage().startsWith("unreadable results record: malformed JSON"), e.getMessage());
  }

  @Test
  void givenRecordWithoutUrl_whenParsed_thenInvalidEntry() {
    InvalidEntryException e = assertThrows(InvalidEntryException.class,
        () -> results(true).parse("{\"key\":\"a.png\",\"status\":\"failed\",\"error\":\"timeout\"}", 3));

    assertEquals("results record has no url", e.getMessage());
  }

  @Test
  void givenEarlierInvalidEntryRecord_whenParsedWithOrWithoutOnlyFailed_thenInvalidAgainNamingItsOrigin() {
    String line = ResultJson.toJson(FetchResult.builder().setUrl("../etc/passwd").setStatus(Status.FAILED)
        .setError("invalid_entry").setDetail("line 12: key escapes").setSource("file:///m/manifest.txt")
        .setLine(12).build());

    for (boolean onlyFailed : new boolean[] {true, false}) {
      InvalidEntryException e = assertThrows(InvalidEntryException.class, () -> results(onlyFailed).parse(line, 2));
      assertTrue(e.getMessage().startsWith("invalid_entry in an earlier run"), e.getMessage());
      assertTrue(e.getMessage().contains("file:///m/manifest.txt line 12"), e.getMessage());
    }
  }

  @Test
  void givenRecordWhoseKeyEscapesTheOutput_whenParsed_thenInvalidEntry() {
    assertThrows(InvalidEntryException.class,
        () -> results(false).parse(record("http://h.example/1.png", "../up.png", Status.FAILED, "timeout"), 1));
  }

  @Test
  void givenTextManifestLineThatIsARecord_whenParsed_thenReadAsARecord() throws Exception {
    ManifestParser text = new ManifestParser(ManifestFormat.TEXT, BASE, SOURCE, true);

    assertEquals("k/1.png",
        text.parse(record("http://h.example/1.png", "k/1.png", Status.FAILED, "timeout"), 1).getKey());
    assertNull(text.parse(record("http://h.example/2.png", "k/2.png", Status.OK, null), 2));
    assertEquals("a/b.png", text.parse("a/b.png", 3).getKey(), "--onlyFailed leaves plain lines alone");
  }
}
