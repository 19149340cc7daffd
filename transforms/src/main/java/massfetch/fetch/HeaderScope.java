package massfetch.fetch;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Which requests carry the extra headers ({@code --header}, {@code --headerFromEnv}): a token meant
 * for the provider must not follow a redirect to a CDN, a presigned bucket URL or anyone else. With
 * {@code --headerHosts}, the hosts (or origins) it names; without, the origin (scheme, host, port)
 * of the entry's manifest URL. Never over http once the entry's requests went over https.
 */
final class HeaderScope {
  private final HostPolicy hosts;

  HeaderScope(List<String> headerHosts) {
    this.hosts = new HostPolicy(headerHosts);
  }

  /**
   * Whether the request to {@code url}, a hop of the entry whose manifest URL is {@code first},
   * carries the headers; {@code sawHttps} when an earlier request of the entry went over https.
   */
  boolean carries(String first, String url, boolean sawHttps) {
    if (sawHttps && isPlainHttp(url)) {
      return false;
    }
    if (!hosts.isEmpty()) {
      return hosts.names(url);
    }
    return url.equals(first) || Objects.equals(origin(first), origin(url));
  }

  static boolean isPlainHttp(String url) {
    return url.regionMatches(true, 0, "http:", 0, 5);
  }

  /** scheme://host:port with the scheme's default port filled in; null when unreadable. */
  private static String origin(String url) {
    try {
      URI u = URI.create(url);
      if (u.getScheme() == null || u.getHost() == null) {
        return null;
      }
      String scheme = u.getScheme().toLowerCase(Locale.ROOT);
      return scheme + "://" + HostRule.unbracket(u.getHost()) + ":" + HostRule.effectivePort(scheme, u.getPort());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
