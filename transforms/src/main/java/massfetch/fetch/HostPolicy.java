package massfetch.fetch;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Which hosts workers may call, so a manifest (or a redirect) cannot point them at internal
 * addresses: a list of {@link HostRule}s ({@code img.example}, {@code img.example:8443}, {@code
 * *.example.com}). No rules: any host. A host the rules name may also resolve to a private address;
 * see {@link PublicAddressResolver}.
 */
final class HostPolicy {
  private final List<HostRule> rules;

  HostPolicy(List<String> rules) {
    this.rules = rules.stream().filter(h -> !h.isBlank()).map(HostRule::parse).toList();
  }

  /** Whether a request to {@code url} may go: no rules, or one matches its host and port. */
  boolean allows(String url) {
    return rules.isEmpty() || names(url);
  }

  /** Whether a rule names {@code url}'s host (and port); false without rules. */
  boolean names(String url) {
    URI u;
    try {
      u = URI.create(url);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (u.getHost() == null || u.getScheme() == null) {
      return false;
    }
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    return names(scheme, HostRule.unbracket(u.getHost()), HostRule.effectivePort(scheme, u.getPort()));
  }

  /** Whether a rule names this host (lower case, no brackets) and port; false without rules. */
  boolean names(String scheme, String host, int port) {
    for (HostRule rule : rules) {
      if (rule.matches(scheme, host, port)) {
        return true;
      }
    }
    return false;
  }

  boolean isEmpty() {
    return rules.isEmpty();
  }
}
