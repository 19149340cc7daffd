package massfetch.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import org.junit.jupiter.api.Test;

/** {@link ResultJson}: one JSON line per result, snake_case fields, every field always present. */
class ResultJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> FIELDS = List.of(
      "url", "key", "status", "http_status", "bytes", "md5", "content_type", "attempts", "elapsed_ms",
      "error", "detail", "source", "line");

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void givenOkResult_whenJson_thenEveryFieldWithItsValue() throws Exception {
    FetchResult r = FetchResult.builder()
        .setUrl("https://img.example/a/b.png")
        .setKey("a/b.png")
        .setStatus(Status.OK)
        .setHttpStatus(200)
        .setBytes(12_345)
        .setMd5("9e107d9d372bb6826bd81d3542a419d6")
        .setContentType("image/png")
        .setAttempts(2)
        .setElapsedMs(87)
        .setSource("file:///m/manifest.txt")
        .setLine(42)
        .build();

    String line = ResultJson.toJson(r);
    JsonNode j = JSON.readTree(line);

    assertEquals(FIELDS, names(j));
    assertEquals(FIELDS, ResultFields.ALL, "the written format is the one ResultFields names");
    assertEquals("https://img.example/a/b.png", j.get("url").asText());
    assertEquals("a/b.png", j.get("key").asText());
    assertEquals("ok", j.get("status").asText());
    assertEquals(200, j.get("http_status").asInt());
    assertEquals(12_345, j.get("bytes").asLong());
    assertEquals("9e107d9d372bb6826bd81d3542a419d6", j.get("md5").asText());
    assertEquals("image/png", j.get("content_type").asText());
    assertEquals(2, j.get("attempts").asInt());
    assertEquals(87, j.get("elapsed_ms").asLong());
    assertTrue(j.get("error").isNull());
    assertTrue(j.get("detail").isNull());
    assertEquals("file:///m/manifest.txt", j.get("source").asText());
    assertEquals(42, j.get("line").asLong());
    assertFalse(line.contains("\n"), "one result, one line");
  }

  @Test
  void givenInvalidEntry_whenJson_thenUnsetFieldsPresentAsNull() throws Exception {
    FetchResult r = FetchResult.builder()
        .setUrl("not a url \"quoted\"\ttab")
        .setStatus(Status.FAILED)
        .setError("invalid_entry")
        .setDetail("line 3: relative path but no --baseUrl was given")
        .setSource("m.txt")
        .setLine(3)
        .build();

    String line = ResultJson.toJson(r);
    JsonNode j = JSON.readTree(line);

    assertEquals(FIELDS, names(j));
    for (String field : List.of("key", "http_status", "md5", "content_type")) {
      assertTrue(j.get(field).isNull(), field + " should be present as null in " + line);
    }
    assertEquals("failed", j.get("status").asText());
    assertEquals("invalid_entry", j.get("error").asText());
    assertEquals("not a url \"quoted\"\ttab", j.get("url").asText());
    assertEquals(0, j.get("bytes").asLong());
    assertEquals(0, j.get("attempts").asInt());
    assertEquals(3, j.get("line").asLong());
    assertFalse(line.contains("\n") || line.contains("\t"), "control characters escaped: " + line);
  }

  @Test
  void givenSkippedResult_whenJson_thenStatusSkippedWithReason() throws Exception {
    FetchResult r = FetchResult.builder().setUrl("http://h/a.png").setKey("a.png").setStatus(Status.SKIPPED)
        .setError("exists").setSource("m").setLine(1).build();

    JsonNode j = JSON.readTree(ResultJson.toJson(r));

    assertEquals("skipped", j.get("status").asText());
    assertEquals("exists", j.get("error").asText());
  }

  @Test
  void givenWrittenRecord_whenReadBack_thenEveryFieldTheReaderKnowsSurvives() throws Exception {
    FetchResult r = FetchResult.builder()
        .setUrl("https://img.example/a.png")
        .setKey("a.png")
        .setStatus(Status.SKIPPED)
        .setError("exists")
        .setDetail("already stored")
        .setSource("file:///m/manifest.txt")
        .setLine(7)
        .build();

    ResultRecord back = ResultRecord.parse(ResultJson.toJson(r));

    assertEquals("https://img.example/a.png", back.url());
    assertEquals("a.png", back.key());
    assertEquals("skipped", back.status());
    assertEquals("exists", back.error());
    assertEquals("already stored", back.detail());
    assertEquals("file:///m/manifest.txt", back.source());
    assertEquals(7L, back.line());
    assertTrue(back.isDone());
  }
}
