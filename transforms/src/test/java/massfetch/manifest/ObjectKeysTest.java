package massfetch.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ObjectKeys}: a key from a manifest can never escape the output prefix. */
class ObjectKeysTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "a.png",
      "003-007-001-12752/7f9695b3-6eaf-4d68-b2e3-8e00aafb7d73.png",
      "a/b/c/d.png",
      "..a/b..png", // dots inside a segment are fine
      ".hidden/.png",
      "with space/é/图.png",
      "a%2F..%2Fb.png", // percent signs are just characters in a key
  })
  void givenSafeKey_whenChecked_thenReturnedUnchanged(String key) throws Exception {
    assertEquals(key, ObjectKeys.checked(key));
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", "../a.png", "a/../../b.png", "a/..", "a/../b.png"})
  void givenDotDotSegment_whenChecked_thenInvalid(String key) {
    assertThrows(InvalidEntryException.class, () -> ObjectKeys.checked(key));
  }

  @ParameterizedTest
  @ValueSource(strings = {".", "./a.png", "a/./b.png", "a/."})
  void givenDotSegment_whenChecked_thenInvalid(String key) {
    assertThrows(InvalidEntryException.class, () -> ObjectKeys.checked(key));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a.png", "/", "//a.png", "/etc/passwd"})
  void givenLeadingSlash_whenChecked_thenInvalid(String key) {
    InvalidEntryException e = assertThrows(InvalidEntryException.class, () -> ObjectKeys.checked(key));
    assertTrue(e.getMessage().contains("/"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a/", "a/b/"})
  void givenTrailingSlash_whenChecked_thenInvalid(String key) {
    assertThrows(InvalidEntryException.class, () -> ObjectKeys.checked(key));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a//b.png", "a///b.png"})
  void givenEmptySegment_whenChecked_thenInvalid(String key) {
    assertThrows(InvalidEntryException.class, () -> ObjectKeys.checked(key));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\\b.png", "..\\..\\b.png", "\\a.png"})
  void givenBackslash_whenChecked_thenInvalid(String key) {
    assertThrows(InvalidEntryException.class, () -> ObjectKeys.checked(key));
  }

  @Test
  void givenEmptyKey_whenChecked_thenInvalid() {
    assertThrows(InvalidEntryException.class, () -> ObjectKeys.checked(""));
  }

  @Test
  void givenNul_whenChecked_thenInvalid() {
    assertThrows(InvalidEntryException.class, () -> ObjectKeys.checked("a\u0000.png"));
    assertThrows(InvalidEntryException.class, () -> ObjectKeys.checked("a.png\u0000"));
  }

  @ParameterizedTest
  @ValueSource(chars = {'\u0001', '\t', '\n', '\r', '\u001B', '\u001F', '\u007F', '\u0080', '\u0085', '\u009F'})
  void givenControlCharacter_whenChecked_thenInvalid(char c) {
    assertThrows(InvalidEntryException.class, () -> ObjectKeys.checked("dir/a" + c + "b.png"));
  }

  @Test
  void givenReplacementCharacter_whenChecked_thenInvalid() {
    // U+FFFD is what a decoder leaves for bytes that were not UTF-8.
    assertThrows(InvalidEntryException.class, () -> ObjectKeys.checked("a\uFFFDb.png"));
  }

  @Test
  void givenExactly1024AsciiBytes_whenChecked_thenAccepted() throws Exception {
    String key = "a".repeat(1024);

    assertEquals(key, ObjectKeys.checked(key));
  }

  @Test
  void given1025AsciiBytes_whenChecked_thenInvalid() {
    assertThrows(InvalidEntryException.class, () -> ObjectKeys.checked("a".repeat(1025)));
  }

  @Test
  void givenMultiByteKeyOfExactly1024Bytes_whenChecked_thenAccepted() throws Exception {
    String key = "a".repeat(1022) + "é"; // é is 2 bytes of UTF-8
    assertEquals(1024, key.getBytes(StandardCharsets.UTF_8).length);

    assertEquals(key, ObjectKeys.checked(key));
  }

  @Test
  void givenMultiByteKeyUnder1024CharsButOver1024Bytes_whenChecked_thenInvalid() {
    String threeByteChars = "图".repeat(342); // 342 chars, 1026 bytes
    assertTrue(threeByteChars.length() < 1024);
    String fourByteChars = "\uD83D\uDE00".repeat(257); // 514 chars (surrogate pairs), 1028 bytes
    String twoByteChars = "é".repeat(513); // 513 chars, 1026 bytes

    assertThrows(InvalidEntryException.class, () -> ObjectKeys.checked(threeByteChars));
    assertThrows(InvalidEntryException.class, () -> ObjectKeys.checked(fourByteChars));
    assertThrows(InvalidEntryException.class, () -> ObjectKeys.checked(twoByteChars));
  }

  // --- keys for absolute URLs -------------------------------------------------------------------

  @Test
  void givenUrl_whenKeyed_thenLowerCaseHostAndDecodedPath() throws Exception {
    assertEquals("h.example/a/b.png", ObjectKeys.forUrl(new URI("http://H.Example/a/b.png")));
    assertEquals("h.example:8443/a b.png", ObjectKeys.forUrl(new URI("https://h.example:8443/a%20b.png")));
  }

  @Test
  void givenUrlWithQuery_whenKeyed_thenQueryNotInKey() throws Exception {
    assertEquals("h.example/a.png", ObjectKeys.forUrl(new URI("http://h.example/a.png?size=large")));
  }

  @Test
  void givenUrlWithPercentEncodedBytesThatAreNotUtf8_whenKeyed_thenInvalid() {
    // URI decodes %FF to U+FFFD: two different URLs would otherwise share one mangled key.
    assertThrows(InvalidEntryException.class, () -> ObjectKeys.forUrl(new URI("http://h.example/a%FFb.png")));
    assertThrows(InvalidEntryException.class, () -> ObjectKeys.forUrl(new URI("http://h.example/a%C3.png")));
  }

  @Test
  void givenUrlWhosePathDecodesToEscape_whenKeyed_thenInvalid() {
    assertThrows(InvalidEntryException.class, () -> ObjectKeys.forUrl(new URI("http://h.example/a/%2E%2E/%2E%2E/x")));
    assertThrows(InvalidEntryException.class, () -> ObjectKeys.forUrl(new URI("http://h.example/a%00b.png")));
    assertThrows(InvalidEntryException.class, () -> ObjectKeys.forUrl(new URI("http://h.example/a%5Cb.png")));
    assertThrows(InvalidEntryException.class, () -> ObjectKeys.forUrl(new URI("http://h.example//a.png")));
  }
}
