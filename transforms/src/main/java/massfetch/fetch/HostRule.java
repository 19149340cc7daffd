package massfetch.fetch;

import java.net.URI;
import java.util.Locale;

/**
 * One entry of {@code --allowedHosts} or {@code --headerHosts}: a host ({@code img.example}, an IP
 * address, {@code [::1]}), {@code *.example.com} for its subdomains, either with an optional
 * {@code :port}, or a whole origin {@code scheme://host[:port]}. Without a port any port matches;
 * without a scheme any scheme.
 */
final class HostRule {
  private final String scheme; // null: any
  private final String host; // lower case, no brackets; "*.x" matches subdomains of x
  private final int port; // -1: any

  private HostRule(String scheme, String host, int port) {
    this.scheme = scheme;
    this.host = host;
    this.port = port;
  }

  /** Parses one entry; throws {@link IllegalArgumentException} naming it when it is not one. */
  static HostRule parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.contains("://")) {
      URI origin;
      try {
        origin = URI.create(t);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not a host or origin: '" + text + "'");
      }
      String h = origin.getHost();
      String s = origin.getScheme();
      if (h == null || !(s.equals("http") || s.equals("https"))) {
        throw new IllegalArgumentException("not an http(s) origin: '" + text + "'");
      }
      return new HostRule(s, unbracket(h), effectivePort(s, origin.getPort()));
    }
    String h = t;
    int p = -1;
    if (t.startsWith("[")) {
      int close = t.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("not a host: '" + text + "'");
      }
      h = t.substring(1, close);
      String rest = t.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw new IllegalArgumentException("not a host: '" + text + "'");
        }
        p = port(rest.substring(1), text);
      }
    } else if (t.indexOf(':') >= 0 && t.indexOf(':') == t.lastIndexOf(':')) {
      // One colon: host:port. More than one: an IPv6 address without brackets, any port.
      h = t.substring(0, t.indexOf(':'));
      p = port(t.substring(t.indexOf(':') + 1), text);
    }
    if (h.isEmpty() || h.equals("*.") || h.contains("/")) {
      throw new IllegalArgumentException("not a host: '" + text + "'");
    }
    return new HostRule(null, h, p);
  }

  private static int port(String digits, String text) {
    try {
      int p = Integer.parseInt(digits);
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("bad port in '" + text + "'");
  }

  /**
   * Whether a request to {@code host} (lower case, no brackets) on {@code port} by {@code scheme}
   * matches; a null scheme (not known where connections are made) matches any.
   */
  boolean matches(String scheme, String host, int port) {
    if (this.scheme != null && scheme != null && !this.scheme.equals(scheme)) {
      return false;
    }
    if (this.port >= 0 && this.port != port) {
      return false;
    }
    return this.host.startsWith("*.") ? host.endsWith(this.host.substring(1)) : host.equals(this.host);
  }

  /** The URL's port, or its scheme's default. */
  static int effectivePort(String scheme, int port) {
    if (port >= 0) {
      return port;
    }
    return "https".equals(scheme) ? 443 : 80;
  }

  static String unbracket(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  @Override
  public String toString() {
    return (scheme != null ? scheme + "://" : "") + host + (port >= 0 ? ":" + port : "");
  }
}
