package massfetch.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ReadManifest} on the DirectRunner over real files: gzip text, CSV, a glob over both. */
class ReadManifestTest {
  private static final String BASE = "http://img.example:8080/root";

  @TempDir Path dir;

  private static Pipeline pipeline() {
    return Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
  }

  private static void writeGzip(Path file, String text) throws IOException {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static FetchRequest request(String source, long line, String url, String key) {
    return FetchRequest.builder().setUrl(url).setKey(key).setSource(source).setLine(line).build();
  }

  private static FetchRequest request(String source, long line, String url, String key, Long size, String md5) {
    return request(source, line, url, key).toBuilder().setExpectedSize(size).setExpectedMd5(md5).build();
  }

  /** Invalid-entry results by line, each checked for the fields every invalid entry must carry. */
  private static Map<Long, String> invalidUrlsByLine(Iterable<FetchResult> results, String source) {
    Map<Long, String> byLine = new TreeMap<>();
    for (FetchResult r : results) {
      assertEquals(Status.FAILED, r.getStatus(), r.toString());
      assertEquals("invalid_entry", r.getError(), r.toString());
      assertEquals(source, r.getSource(), r.toString());
      assertNull(r.getKey(), r.toString());
      assertTrue(r.getDetail() != null && r.getDetail().startsWith("line " + r.getLine() + ": "), r.toString());
      assertNull(byLine.put(r.getLine(), r.getUrl()), "one result per line: " + r);
    }
    return byLine;
  }

  private static final String TEXT_MANIFEST =
      "# images for the first run\n"   // 1 comment
          + "003-007/7f9695b3.png\n"   // 2
          + "\n"                       // 3 blank
          + "http://other.example/x/2.png\n" // 4
          + "../escape.png\n"          // 5 invalid
          + "ftp://h.example/x.png\n"  // 6 invalid
          + "   \t \n"                 // 7 blank
          + "  # indented comment\n"   // 8 comment
          + "dir/with space.png\r\n"   // 9 (CRLF)
          + "a\u0001b.png\n"           // 10 invalid: control character
          + "b/last.png";              // 11, no newline at the end

  @Test
  void givenGzipTextManifest_whenRead_thenRequestsAndInvalidEntriesWithLineNumbers() throws Exception {
    Path file = dir.resolve("manifest.txt.gz");
    writeGzip(file, TEXT_MANIFEST);
    String source = file.toString();
    Pipeline p = pipeline();

    PCollectionTuple out = p.apply(ReadManifest.from(file.toString()).withBaseUrl(BASE));

    PAssert.that(out.get(ReadManifest.REQUESTS)).containsInAnyOrder(
        request(source, 2, BASE + "/003-007/7f9695b3.png", "003-007/7f9695b3.png"),
        request(source, 4, "http://other.example/x/2.png", "other.example/x/2.png"),
        request(source, 9, BASE + "/dir/with%20space.png", "dir/with space.png"),
        request(source, 11, BASE + "/b/last.png", "b/last.png"));
    PAssert.that(out.get(ReadManifest.INVALID)).satisfies(rs -> {
      Map<Long, String> byLine = invalidUrlsByLine(rs, source);
      assertEquals(Map.of(5L, "../escape.png", 6L, "ftp://h.example/x.png", 10L, "a?b.png"), byLine);
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void givenCsvManifest_whenRead_thenColumnsUsedAndBadRowsInvalid() throws Exception {
    Path file = dir.resolve("manifest.csv");
    Files.writeString(file,
        "\uFEFFpath,key,size,md5\n"                                            // 1 header (with BOM)
            + "a/1.png,,10,9E107D9D372BB6826BD81D3542A419D6\n"                // 2
            + "a/2.png,renamed/2.png,,nhB9nTcrtoJr2B01QqQZ1g==\n"             // 3 base64 md5
            + "a/3.png,,ten,\n"                                               // 4 bad size
            + "\"a/4,with,commas.png\",\"k/4,x.png\",,\n"                     // 5 quoted
            + "\n"                                                            // 6 blank
            + "\"a/5.png,,,\n"                                                // 7 unbalanced quote
            + "a/6.png,,,not-an-md5\n"                                        // 8 bad md5
            + "http://h.example/7.png,../up.png,,\n");                        // 9 key escapes
    String source = file.toString();
    Pipeline p = pipeline();

    PCollectionTuple out = p.apply(ReadManifest.from(file.toString()).withBaseUrl(BASE));

    PAssert.that(out.get(ReadManifest.REQUESTS)).containsInAnyOrder(
        request(source, 2, BASE + "/a/1.png", "a/1.png", 10L, "9e107d9d372bb6826bd81d3542a419d6"),
        request(source, 3, BASE + "/a/2.png", "renamed/2.png", null, "9e107d9d372bb6826bd81d3542a419d6"),
        request(source, 5, BASE + "/a/4,with,commas.png", "k/4,x.png", null, null));
    PAssert.that(out.get(ReadManifest.INVALID)).satisfies(rs -> {
      Map<Long, String> byLine = invalidUrlsByLine(rs, source);
      assertEquals(java.util.Set.of(4L, 7L, 8L, 9L), byLine.keySet());
      assertEquals("a/3.png,,ten,", byLine.get(4L));
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void givenCsvHeaderWithoutUrlOrPath_whenRead_thenHeaderAndEveryRowInvalidAndNoRequest() throws Exception {
    Path file = dir.resolve("bad-header.csv");
    Files.writeString(file, "name,key\n# comment\nx.png,a.png\ny.png,b.png\n");
    String source = file.toString();
    Pipeline p = pipeline();

    PCollectionTuple out = p.apply(ReadManifest.from(file.toString()).withBaseUrl(BASE));

    PAssert.that(out.get(ReadManifest.REQUESTS)).empty();
    PAssert.that(out.get(ReadManifest.INVALID)).satisfies(rs -> {
      assertEquals(java.util.Set.of(1L, 3L, 4L), invalidUrlsByLine(rs, source).keySet());
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void givenOverlongAndNonUtf8Lines_whenRead_thenInvalidEntriesAndReadingGoesOn() throws Exception {
    Path file = dir.resolve("hostile.txt");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes("ok/1.png\n".getBytes(StandardCharsets.UTF_8));              // 1
    bytes.writeBytes("x".repeat(5_000).getBytes(StandardCharsets.UTF_8));         // 2 too long
    bytes.writeBytes(new byte[] {'\n', 'a', (byte) 0xC3, '(', '.', 'p', 'n', 'g', '\n'}); // 3 not UTF-8
    bytes.writeBytes("ok/4.png\n".getBytes(StandardCharsets.UTF_8));              // 4
    Files.write(file, bytes.toByteArray());
    String source = file.toString();
    Pipeline p = pipeline();

    PCollectionTuple out = p.apply(ReadManifest.from(file.toString()).withBaseUrl(BASE).withMaxLineBytes(64));

    PAssert.that(out.get(ReadManifest.REQUESTS)).containsInAnyOrder(
        request(source, 1, BASE + "/ok/1.png", "ok/1.png"),
        request(source, 4, BASE + "/ok/4.png", "ok/4.png"));
    PAssert.that(out.get(ReadManifest.INVALID)).satisfies(rs -> {
      Map<Long, String> byLine = invalidUrlsByLine(rs, source);
      assertEquals(java.util.Set.of(2L, 3L), byLine.keySet());
      assertTrue(byLine.get(2L).length() < 100, "an overlong line is not copied into its result");
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void givenGlobOverGzipTextAndCsv_whenRead_thenEntriesFromBothWithTheirSources() throws Exception {
    Path text = dir.resolve("part-1.txt.gz");
    Path csv = dir.resolve("part-2.csv");
    Files.writeString(dir.resolve("other.txt"), "not/matched.png\n");
    writeGzip(text, "# part one\na.png\n../bad.png\nb.png\n");
    Files.writeString(csv, "url,key\nhttp://h.example/c.png,c.png\nhttp://h.example/d.png,/abs.png\n");
    String textSource = text.toString();
    String csvSource = csv.toString();
    Pipeline p = pipeline();

    PCollectionTuple out = p.apply(ReadManifest.from(dir.resolve("part-*").toString()).withBaseUrl(BASE));

    PAssert.that(out.get(ReadManifest.REQUESTS)).containsInAnyOrder(
        request(textSource, 2, BASE + "/a.png", "a.png"),
        request(textSource, 4, BASE + "/b.png", "b.png"),
        request(csvSource, 2, "http://h.example/c.png", "c.png"));
    PAssert.that(out.get(ReadManifest.INVALID)).satisfies(rs -> {
      Map<String, Long> lineBySource = new TreeMap<>();
      for (FetchResult r : rs) {
        assertEquals("invalid_entry", r.getError());
        assertNull(lineBySource.put(r.getSource(), r.getLine()));
      }
      assertEquals(Map.of(textSource, 3L, csvSource, 3L), lineBySource);
      return null;
    });
    p.run().waitUntilFinish();
  }
}
