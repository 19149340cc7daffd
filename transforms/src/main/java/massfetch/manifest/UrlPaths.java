package massfetch.manifest;

import java.nio.charset.StandardCharsets;

/** Joins a base URL and a manifest path, percent-encoding what a URL path may not hold raw. */
final class UrlPaths {
  private static final String HEX = "0123456789ABCDEF";

  private UrlPaths() {}

  static String join(String baseUrl, String path) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return base + "/" + encodePath(path);
  }

  /** Encodes every byte outside RFC 3986's unreserved, sub-delims, ':', '@' and '/'. */
  static String encodePath(String path) {
    StringBuilder out = new StringBuilder(path.length() + 16);
    for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      if (isAllowed(c)) {
        out.append((char) c);
      } else {
        out.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xF));
      }
    }
    return out.toString();
  }

  private static boolean isAllowed(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "-._~!$&'()*+,;=:@/".indexOf(c) >= 0;
  }
}
