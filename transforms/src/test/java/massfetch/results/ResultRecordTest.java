package massfetch.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import massfetch.model.FetchResult;
import massfetch.model.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ResultRecord}: results lines read back, leniently but never silently wrong. */
class ResultRecordTest {

  @Test
  void givenLineWrittenByResultJson_whenParsed_thenEveryInputFieldReadBack() throws Exception {
    String line = ResultJson.toJson(FetchResult.builder()
        .setUrl("http://h.example/a/b.png").setKey("a/b.png").setStatus(Status.FAILED).setHttpStatus(404)
        .setError("http_404").setDetail("not found").setSource("file:///m.txt").setLine(17).build());

    ResultRecord r = ResultRecord.parse(line);

    assertEquals("http://h.example/a/b.png", r.url());
    assertEquals("a/b.png", r.key());
    assertEquals("failed", r.status());
    assertEquals("http_404", r.error());
    assertEquals("not found", r.detail());
    assertEquals("file:///m.txt", r.source());
    assertEquals(17L, r.line());
    assertTrue(r.isFailed());
    assertFalse(r.isDone());
    assertFalse(r.isInvalidEntry());
  }

  @Test
  void givenRecordWithOnlyAUrl_whenParsed_thenMissingFieldsAreNull() throws Exception {
    ResultRecord r = ResultRecord.parse("{\"url\":\"http://h.example/x.png\"}");

    assertEquals("http://h.example/x.png", r.url());
    assertNull(r.key());
    assertNull(r.status());
    assertNull(r.line());
    assertFalse(r.isFailed());
    assertFalse(r.isDone());
  }

  @Test
  void givenOkAndSkippedRecords_whenAskedIfDone_thenOkExistsAndDoneBeforeAreDoneButDuplicateIsNot()
      throws Exception {
    assertTrue(ResultRecord.parse("{\"key\":\"k\",\"status\":\"ok\"}").isDone());
    assertTrue(ResultRecord.parse("{\"key\":\"k\",\"status\":\"skipped\",\"error\":\"exists\"}").isDone());
    assertTrue(ResultRecord.parse("{\"key\":\"k\",\"status\":\"skipped\",\"error\":\"done_before\"}").isDone());
    assertFalse(ResultRecord.parse("{\"key\":\"k\",\"status\":\"skipped\",\"error\":\"duplicate_entry\"}").isDone());
    assertFalse(ResultRecord.parse("{\"key\":null,\"status\":\"ok\"}").isDone(), "no key, nothing to exclude");
    assertFalse(ResultRecord.parse("{\"key\":\"k\",\"status\":\"failed\",\"error\":\"timeout\"}").isDone());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"url\":\"http://h/x.png\"",             // cut off
      "{\"url\":\"http://h/x.png\"} trailing",   // junk after the object
      "[\"http://h/x.png\"]",                    // not an object
      "\"http://h/x.png\"",
      "{\"url\":5}",                             // wrong type: damage, not a missing url
      "{\"url\":\"http://h/x.png\",\"key\":[\"k\"]}",
      "{\"url\":\"http://h/x.png\",\"line\":\"seven\"}",
      "not json at all"})
  void givenMalformedLine_whenParsed_thenMalformedWithAReason(String line) {
    MalformedResultException e = assertThrows(MalformedResultException.class, () -> ResultRecord.parse(line));

    assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
  }

  @Test
  void givenLines_whenAskedIfTheyLookLikeRecords_thenOnlyThoseStartingWithABrace() {
    assertTrue(ResultRecord.looksLikeRecord("  {\"url\":1}"));
    assertFalse(ResultRecord.looksLikeRecord("img/{x}.png"));
    assertFalse(ResultRecord.looksLikeRecord("http://h/{x}.png"));
  }
}
