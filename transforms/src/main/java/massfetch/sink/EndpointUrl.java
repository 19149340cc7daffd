package massfetch.sink;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import javax.annotation.Nullable;

/**
 * Checks an option that names an HTTP endpoint before any client gets it: the storage SDKs answer a
 * malformed endpoint with a NullPointerException, not a line a user can act on.
 */
public final class EndpointUrl {
  private EndpointUrl() {}

  /** Throws {@link IllegalArgumentException} naming {@code option} unless {@code url} is null or an http(s) URL with a host. */
  public static void check(String option, @Nullable String url) {
    if (url == null) {
      return;
    }
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        throw new IllegalArgumentException(option + " must be an http:// or https:// URL with a host, got '" + url + "'");
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(option + " is not a valid URL: " + e.getReason());
    }
  }
}
