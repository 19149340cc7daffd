package massfetch.sink;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The user metadata stored with each object on S3 ({@code x-amz-meta-…}) and GCS: where it came
 * from ({@value #SOURCE_URL}), its MD5 ({@value #MD5}, hex, so a put that finds the key taken can
 * compare even when the store's ETag is not the MD5, as with SSE-KMS or multipart uploads), then
 * the job's {@code --objectMetadata} pairs.
 */
public final class ObjectMetadata {
  /** Metadata key of the URL the object was fetched from. */
  public static final String SOURCE_URL = "source-url";
  /** Metadata key of the object's MD5, 32 lowercase hex digits. */
  public static final String MD5 = "md5";

  private ObjectMetadata() {}

  /** The metadata for one object: source URL and MD5 first, then the configured pairs. */
  static Map<String, String> of(String sourceUrl, byte[] md5, Map<String, String> configured) {
    Map<String, String> m = new LinkedHashMap<>();
    if (sourceUrl != null) {
      m.put(SOURCE_URL, ascii(sourceUrl));
    }
    m.put(MD5, HexFormat.of().formatHex(md5));
    m.putAll(configured);
    return m;
  }

  /**
   * Metadata travels in HTTP headers on S3, which carry ASCII only: other characters of a URL are
   * percent-encoded (as UTF-8), which is how the URL would be sent anyway.
   */
  static String ascii(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); ) {
      int cp = value.codePointAt(i);
      i += Character.charCount(cp);
      if (cp >= 0x20 && cp < 0x7f) {
        out.append((char) cp);
      } else {
        for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
          out.append('%').append(String.format("%02X", b & 0xff));
        }
      }
    }
    return out.toString();
  }

  /**
   * Parses {@code key:value} pairs (as given to {@code --objectMetadata}). A key is letters,
   * digits, {@code -} and {@code _} (what both stores accept as a metadata name).
   *
   * @throws IllegalArgumentException naming the first malformed pair
   */
  public static Map<String, String> parsePairs(Iterable<String> pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    if (pairs == null) {
      return m;
    }
    for (String pair : pairs) {
      int colon = pair.indexOf(':');
      String key = colon > 0 ? pair.substring(0, colon).strip() : "";
      if (!key.matches("[A-Za-z0-9_-]+")) {
        throw new IllegalArgumentException(
            "--objectMetadata wants key:value with a key of letters, digits, - and _, got '"
                + pair + "'");
      }
      m.put(key.toLowerCase(java.util.Locale.ROOT), ascii(pair.substring(colon + 1).strip()));
    }
    return m;
  }
}
