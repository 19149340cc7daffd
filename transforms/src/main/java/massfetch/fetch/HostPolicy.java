package massfetch.fetch;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Which hosts workers may call, so a manifest (or a redirect) cannot point them at internal
 * addresses: an exact host, or {@code *.example.com} for its subdomains. No rules: any host.
 */
final class HostPolicy {
  private final List<String> rules;

  HostPolicy(List<String> allowedHosts) {
    this.rules = allowedHosts.stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
  }

  boolean allows(String url) {
    if (rules.isEmpty()) {
      return true;
    }
    String host;
    try {
      host = URI.create(url).getHost();
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    for (String rule : rules) {
      if (rule.startsWith("*.") ? h.endsWith(rule.substring(1)) : h.equals(rule)) {
        return true;
      }
    }
    return false;
  }
}
