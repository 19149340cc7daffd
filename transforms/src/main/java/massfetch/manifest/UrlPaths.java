package massfetch.manifest;

import java.nio.charset.StandardCharsets;

/** Joins a base URL and a manifest path, percent-encoding what a URL path may not hold raw. */
final class UrlPaths {
  private static final String HEX = "0123456789ABCDEF";

  private UrlPaths() {}

  static String join(String baseUrl, String path) {
    return join(baseUrl, path, false);
  }

  /**
   * {@code encoded}: the path is already percent-encoded ({@code --pathEncoding=encoded}), so its
   * {@code %XX} escapes are sent as given, like an absolute URL's; otherwise it is a name and every
   * {@code %} in it is a percent sign.
   */
  static String join(String baseUrl, String path, boolean encoded) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return base + "/" + (encoded ? encodeKeepingEscapes(path) : encodePath(path));
  }

  /** Like {@link #encodePath}, but a {@code %} followed by two hex digits is kept as an escape. */
  static String encodeKeepingEscapes(String path) {
    StringBuilder out = new StringBuilder(path.length() + 16);
    int from = 0;
    for (int i = 0; i < path.length(); i++) {
      if (path.charAt(i) == '%' && i + 2 < path.length() && isHex(path.charAt(i + 1)) && isHex(path.charAt(i + 2))) {
        out.append(encodePath(path.substring(from, i))).append(path, i, i + 3);
        from = i + 3;
        i += 2;
      }
    }
    return out.append(encodePath(path.substring(from))).toString();
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
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
