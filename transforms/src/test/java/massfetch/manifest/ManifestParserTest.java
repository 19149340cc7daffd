package massfetch.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.HexFormat;
import massfetch.model.FetchRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ManifestParser}, {@link ManifestFormat} and {@link UrlPaths}: manifest lines to requests. */
class ManifestParserTest {
  private static final String BASE = "https://img.example.com/data";
  private static final String SOURCE = "file:///m/manifest.txt";

  private static ManifestParser text(String baseUrl) {
    return new ManifestParser(ManifestFormat.TEXT, baseUrl, SOURCE);
  }

  private static ManifestParser csv(String header) throws InvalidEntryException {
    ManifestParser p = new ManifestParser(ManifestFormat.CSV, BASE, SOURCE);
    assertNull(p.parse(header, 1), "the header line is no entry");
    return p;
  }

  private static ManifestParser tsv(String header) throws InvalidEntryException {
    ManifestParser p = new ManifestParser(ManifestFormat.TSV, BASE, SOURCE);
    assertNull(p.parse(header, 1), "the header line is no entry");
    return p;
  }

  // --- text lines -------------------------------------------------------------------------------

  @Test
  void givenRelativePathAndBaseUrl_whenParsed_thenUrlIsJoinedAndKeyIsThePath() throws Exception {
    String path = "003-007-001-12752/7f9695b3-6eaf-4d68-b2e3-8e00aafb7d73.png";

    FetchRequest r = text(BASE).parse(path, 7);

    assertEquals(BASE + "/" + path, r.getUrl());
    assertEquals(path, r.getKey());
    assertEquals(SOURCE, r.getSource());
    assertEquals(7, r.getLine());
    assertNull(r.getExpectedSize());
    assertNull(r.getExpectedMd5());
  }

  @Test
  void givenBaseUrlWithTrailingSlash_whenJoined_thenNoDoubleSlash() throws Exception {
    FetchRequest r = text(BASE + "/").parse("a/b.png", 1);

    assertEquals(BASE + "/a/b.png", r.getUrl());
  }

  @Test
  void givenLineWithSurroundingWhitespace_whenParsed_thenStripped() throws Exception {
    FetchRequest r = text(BASE).parse("  a/b.png\t ", 1);

    assertEquals("a/b.png", r.getKey());
    assertEquals(BASE + "/a/b.png", r.getUrl());
  }

  @Test
  void givenAbsoluteUrl_whenParsed_thenKeyIsHostAndPath() throws Exception {
    FetchRequest r = text(null).parse("https://Img.Example.com/x/y.png", 3);

    assertEquals("https://Img.Example.com/x/y.png", r.getUrl());
    assertEquals("img.example.com/x/y.png", r.getKey());
  }

  @Test
  void givenAbsoluteUrlWithPort_whenParsed_thenKeyKeepsThePort() throws Exception {
    FetchRequest r = text(BASE).parse("http://127.0.0.1:8080/a/b.png", 1);

    assertEquals("http://127.0.0.1:8080/a/b.png", r.getUrl());
    assertEquals("127.0.0.1:8080/a/b.png", r.getKey());
  }

  @Test
  void givenAbsoluteUrlWithEncodedDotDot_whenParsed_thenInvalidBecauseKeyIsDecoded() {
    assertThrows(InvalidEntryException.class, () -> text(null).parse("http://h.example/a/%2e%2e/%2e%2e/etc/passwd", 1));
    assertThrows(InvalidEntryException.class, () -> text(null).parse("http://h.example/a%2F..%2F..%2Fb.png", 1));
  }

  @Test
  void givenAbsoluteUrlWithoutFilePath_whenParsed_thenInvalid() {
    assertThrows(InvalidEntryException.class, () -> text(null).parse("http://h.example/", 1));
    assertThrows(InvalidEntryException.class, () -> text(null).parse("http://h.example", 1));
  }

  @Test
  void givenRelativePathWithoutBaseUrl_whenParsed_thenInvalidSayingSo() {
    InvalidEntryException e = assertThrows(InvalidEntryException.class, () -> text(null).parse("a/b.png", 1));

    assertTrue(e.getMessage().contains("baseUrl"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "ftp://h.example/a.png",
      "file:///etc/passwd",
      "gs://bucket/a.png",
      "javascript://h.example/a.png",
  })
  void givenNonHttpScheme_whenParsed_thenInvalid(String line) {
    InvalidEntryException e = assertThrows(InvalidEntryException.class, () -> text(BASE).parse(line, 1));

    assertTrue(e.getMessage().contains("http"), e.getMessage());
  }

  @Test
  void givenUpperCaseHttpScheme_whenParsed_thenAccepted() throws Exception {
    assertEquals("h.example/a.png", text(null).parse("HTTPS://h.example/a.png", 1).getKey());
  }

  @Test
  void givenUrlWithoutHost_whenParsed_thenInvalid() {
    InvalidEntryException e = assertThrows(InvalidEntryException.class, () -> text(null).parse("http:///a/b.png", 1));

    assertTrue(e.getMessage().contains("host"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://user:secret@h.example/a.png", "https://token@h.example/a.png"})
  void givenCredentialsInUrl_whenParsed_thenInvalidAndTheSecretIsNotInTheReason(String line) {
    InvalidEntryException e = assertThrows(InvalidEntryException.class, () -> text(null).parse(line, 1));

    assertTrue(e.getMessage().contains("credentials"), e.getMessage());
    assertFalse(e.getMessage().contains("secret") || e.getMessage().contains("token"), e.getMessage());
  }

  @Test
  void givenUnparseableAbsoluteUrl_whenParsed_thenInvalid() {
    assertThrows(InvalidEntryException.class, () -> text(null).parse("http://h.example/a b|<>.png", 1));
  }

  @Test
  void givenRelativePathThatEscapes_whenParsed_thenInvalid() {
    assertThrows(InvalidEntryException.class, () -> text(BASE).parse("../secrets.png", 1));
    assertThrows(InvalidEntryException.class, () -> text(BASE).parse("/etc/passwd", 1));
    assertThrows(InvalidEntryException.class, () -> text(BASE).parse("a\\..\\b.png", 1));
  }

  // --- skippable lines --------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "\t", "# a comment", "   # indented comment", "#"})
  void givenBlankOrCommentLine_whenChecked_thenSkippable(String line) {
    assertTrue(ManifestParser.isSkippable(line));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a.png", " a.png", "a#b.png", "http://h.example/a.png#frag"})
  void givenEntryLine_whenChecked_thenNotSkippable(String line) {
    assertFalse(ManifestParser.isSkippable(line));
  }

  // --- CSV / TSV --------------------------------------------------------------------------------

  @Test
  void givenCsvWithAllColumns_whenParsed_thenRequestCarriesKeySizeAndLowerHexMd5() throws Exception {
    ManifestParser p = csv("url,key,size,md5");

    FetchRequest r = p.parse("http://h.example/x/1.png,out/1.png,1234,0123456789ABCDEF0123456789ABCDEF", 2);

    assertEquals("http://h.example/x/1.png", r.getUrl());
    assertEquals("out/1.png", r.getKey());
    assertEquals(1234L, r.getExpectedSize());
    assertEquals("0123456789abcdef0123456789abcdef", r.getExpectedMd5());
    assertEquals(2, r.getLine());
  }

  @Test
  void givenCsvWithPathColumn_whenParsed_thenJoinedWithBaseUrl() throws Exception {
    ManifestParser p = csv("path");

    FetchRequest r = p.parse("d/1.png", 2);

    assertEquals(BASE + "/d/1.png", r.getUrl());
    assertEquals("d/1.png", r.getKey());
  }

  @Test
  void givenCsvHeaderInOtherCaseAndOrderWithSpaces_whenParsed_thenColumnsFoundByName() throws Exception {
    ManifestParser p = csv(" MD5 , Size ,extra, Path ");

    FetchRequest r = p.parse("d41d8cd98f00b204e9800998ecf8427e,0,ignored,d/e.png", 2);

    assertEquals("d/e.png", r.getKey());
    assertEquals(0L, r.getExpectedSize());
    assertEquals("d41d8cd98f00b204e9800998ecf8427e", r.getExpectedMd5());
  }

  @Test
  void givenCsvWithEmptyOptionalCells_whenParsed_thenNulls() throws Exception {
    ManifestParser p = csv("path,key,size,md5");

    FetchRequest r = p.parse("d/1.png,,,", 2);

    assertEquals("d/1.png", r.getKey());
    assertNull(r.getExpectedSize());
    assertNull(r.getExpectedMd5());
  }

  @Test
  void givenBase64Md5_whenParsed_thenNormalisedToLowerHex() throws Exception {
    byte[] digest = HexFormat.of().parseHex("9e107d9d372bb6826bd81d3542a419d6");
    String b64 = Base64.getEncoder().encodeToString(digest);
    ManifestParser p = csv("path,md5");

    FetchRequest r = p.parse("a.png," + b64, 2);

    assertEquals("9e107d9d372bb6826bd81d3542a419d6", r.getExpectedMd5());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "xyz",
      "0123456789abcdef0123456789abcde", // 31 hex digits
      "0123456789abcdef0123456789abcdef0", // 33 hex digits
      "g123456789abcdef0123456789abcdef", // not hex, and not base64 of 16 bytes
      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", // base64 of 30 bytes
  })
  void givenBadMd5_whenParsed_thenInvalid(String md5) throws Exception {
    ManifestParser p = csv("path,md5");

    assertThrows(InvalidEntryException.class, () -> p.parse("a.png," + md5, 2));
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "-1", "1.5", "12kb", "99999999999999999999999"})
  void givenBadSize_whenParsed_thenInvalid(String size) throws Exception {
    ManifestParser p = csv("path,size");

    assertThrows(InvalidEntryException.class, () -> p.parse("a.png," + size, 2));
  }

  @Test
  void givenCsvHeaderWithoutUrlOrPath_whenParsed_thenHeaderAndEveryRowInvalid() throws Exception {
    ManifestParser p = new ManifestParser(ManifestFormat.CSV, BASE, SOURCE);

    InvalidEntryException header = assertThrows(InvalidEntryException.class, () -> p.parse("name,key,size", 1));
    assertTrue(header.getMessage().contains("url") && header.getMessage().contains("path"), header.getMessage());
    for (long line = 2; line <= 4; line++) {
      long n = line;
      assertThrows(InvalidEntryException.class, () -> p.parse("a" + n + ".png,k" + n + ".png,1", n));
    }
  }

  @Test
  void givenQuotedCsvFieldsWithCommas_whenParsed_thenOneCellEach() throws Exception {
    ManifestParser p = csv("url,key");

    FetchRequest r = p.parse("\"http://h.example/a,b.png\",\"out/a,b.png\"", 2);

    assertEquals("http://h.example/a,b.png", r.getUrl());
    assertEquals("out/a,b.png", r.getKey());
  }

  @Test
  void givenCsvWithUnbalancedQuote_whenParsed_thenInvalid() throws Exception {
    ManifestParser p = csv("url,key");

    assertThrows(InvalidEntryException.class, () -> p.parse("\"http://h.example/a.png,out/a.png", 2));
  }

  @Test
  void givenCsvRowWithUrlAndPath_whenParsed_thenUrlWins() throws Exception {
    ManifestParser p = csv("url,path");

    FetchRequest r = p.parse("http://h.example/u.png,p.png", 2);

    assertEquals("http://h.example/u.png", r.getUrl());
    assertEquals("h.example/u.png", r.getKey());
  }

  @Test
  void givenCsvRowWithoutLocation_whenParsed_thenInvalid() throws Exception {
    ManifestParser p = csv("path,key");

    assertThrows(InvalidEntryException.class, () -> p.parse(",k.png", 2));
  }

  @Test
  void givenCsvKeyColumnThatEscapes_whenParsed_thenInvalid() throws Exception {
    ManifestParser p = csv("url,key");

    assertThrows(InvalidEntryException.class, () -> p.parse("http://h.example/a.png,../../a.png", 2));
  }

  @Test
  void givenTsv_whenParsed_thenSplitOnTabsNotCommas() throws Exception {
    ManifestParser p = tsv("url\tkey\tsize");

    FetchRequest r = p.parse("http://h.example/a,b.png\tout/a,b.png\t42", 2);

    assertEquals("http://h.example/a,b.png", r.getUrl());
    assertEquals("out/a,b.png", r.getKey());
    assertEquals(42L, r.getExpectedSize());
  }

  @Test
  void givenTsvHeaderWithoutUrlOrPath_whenParsed_thenInvalid() {
    ManifestParser p = new ManifestParser(ManifestFormat.TSV, BASE, SOURCE);

    // Comma-separated names read as one TSV column "url,key": no url column.
    assertThrows(InvalidEntryException.class, () -> p.parse("url,key", 1));
    assertThrows(InvalidEntryException.class, () -> p.parse("http://h.example/a.png,a.png", 2));
  }

  // --- format by file name ----------------------------------------------------------------------

  @Test
  void givenFileNames_whenFormatAsked_thenToldByExtensionLookingThroughCompression() {
    assertEquals(ManifestFormat.CSV, ManifestFormat.forFileName("images.csv"));
    assertEquals(ManifestFormat.CSV, ManifestFormat.forFileName("images.csv.gz"));
    assertEquals(ManifestFormat.CSV, ManifestFormat.forFileName("IMAGES.CSV.GZ"));
    assertEquals(ManifestFormat.TSV, ManifestFormat.forFileName("images.tsv"));
    assertEquals(ManifestFormat.TSV, ManifestFormat.forFileName("images.tsv.bz2"));
    assertEquals(ManifestFormat.TEXT, ManifestFormat.forFileName("images.txt"));
    assertEquals(ManifestFormat.TEXT, ManifestFormat.forFileName("images.txt.gz"));
    assertEquals(ManifestFormat.TEXT, ManifestFormat.forFileName("images"));
    assertEquals(ManifestFormat.TEXT, ManifestFormat.forFileName("csv"));
  }

  // --- URL path encoding ------------------------------------------------------------------------

  @Test
  void givenPathsWithReservedCharacters_whenEncoded_thenPercentEncoded() {
    assertEquals("a%20b.png", UrlPaths.encodePath("a b.png"));
    assertEquals("100%25.png", UrlPaths.encodePath("100%.png"));
  }

  @Test
  void givenPercentEscapesInRelativePath_whenRawOrEncoded_thenAPercentSignOrSentAsGiven() {
    assertEquals(BASE + "/img%2520one.png", UrlPaths.join(BASE, "img%20one.png", false));
    assertEquals(BASE + "/img%20one.png", UrlPaths.join(BASE, "img%20one.png", true));
    assertEquals(BASE + "/a%20b%25c%2Fd%C3%A9.png", UrlPaths.join(BASE, "a b%c%2Fdé.png", true));
    assertEquals(BASE + "/x%25", UrlPaths.join(BASE, "x%", true));
    assertEquals("a%23b.png", UrlPaths.encodePath("a#b.png"));
    assertEquals("a%3Fb.png", UrlPaths.encodePath("a?b.png"));
    assertEquals("caf%C3%A9/%E5%9B%BE.png", UrlPaths.encodePath("café/图.png"));
    assertEquals("%F0%9F%98%80.png", UrlPaths.encodePath("\uD83D\uDE00.png"));
  }

  @Test
  void givenPathsWithAllowedCharacters_whenEncoded_thenUnchanged() {
    String allowed = "AZaz09-._~!$&'()*+,;=:@/dir/7f9695b3-6eaf.png";

    assertEquals(allowed, UrlPaths.encodePath(allowed));
  }

  @Test
  void givenRelativePathWithSpaceAndHash_whenParsed_thenUrlEncodedButKeyRaw() throws Exception {
    FetchRequest r = text(BASE).parse("my dir/a#1?.png", 1);

    assertEquals(BASE + "/my%20dir/a%231%3F.png", r.getUrl());
    assertEquals("my dir/a#1?.png", r.getKey());
  }
}
