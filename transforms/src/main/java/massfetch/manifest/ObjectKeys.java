package massfetch.manifest;

import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Object keys, and the checks that keep them inside the output prefix whatever a manifest says: no
 * {@code .} or {@code ..} segments, no leading slash, no empty segment, no backslash, no NUL or
 * control characters, at most {@value #MAX_KEY_BYTES} bytes of UTF-8 (the GCS and S3 limit).
 */
final class ObjectKeys {
  static final int MAX_KEY_BYTES = 1024;

  private ObjectKeys() {}

  /** Returns {@code key} if it is safe, or says why not. */
  static String checked(String key) throws InvalidEntryException {
    if (key.isEmpty()) {
      throw new InvalidEntryException("empty object key");
    }
    if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
      throw new InvalidEntryException("object key longer than " + MAX_KEY_BYTES + " bytes");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) {
        throw new InvalidEntryException("object key contains a control character");
      }
      if (c == '\\') {
        throw new InvalidEntryException("object key contains a backslash");
      }
      if (c == '\uFFFD') {
        throw new InvalidEntryException("object key is not valid UTF-8");
      }
    }
    if (key.startsWith("/")) {
      throw new InvalidEntryException("object key starts with '/'");
    }
    if (key.endsWith("/")) {
      throw new InvalidEntryException("object key ends with '/' (no file name)");
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty()) {
        throw new InvalidEntryException("object key has an empty path segment");
      }
      if (segment.equals(".") || segment.equals("..")) {
        throw new InvalidEntryException("object key has a '" + segment + "' segment");
      }
    }
    return key;
  }

  /** The key for an absolute URL: {@code host[:port]/path}, decoded. */
  static String forUrl(URI url) throws InvalidEntryException {
    String path = url.getPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      throw new InvalidEntryException("URL has no file path");
    }
    String host = url.getHost().toLowerCase(java.util.Locale.ROOT);
    String authority = url.getPort() >= 0 ? host + ":" + url.getPort() : host;
    return checked(authority + (path.startsWith("/") ? path : "/" + path));
  }
}
