package massfetch.fetch;

import massfetch.model.ErrorClass;

/**
 * What an answer means, decided here and nowhere else: every HTTP status, transport failure and
 * body check lands in exactly one class, and the class says whether the entry is retried, whether
 * its host is in trouble ({@link HostHealth}) and whether the provider is overloaded ({@link
 * AdaptiveInFlight}). Changing what is retried is a change to this file.
 */
enum AnswerClass {
  /** 2xx: a body to check and store. */
  SUCCESS(false, false, false),
  /** 301, 302, 303, 307, 308: the next hop. */
  REDIRECT(false, false, false),
  /**
   * The host is drowning: 429, 503, a timeout, a refused or reset connection. Retried; the host is
   * slowed down and the in-flight limit backs off.
   */
  OVERLOAD(true, true, true),
  /** A failing gateway, 502 or 504: retried and the host slowed down, but not a sign of load. */
  GATEWAY(true, true, false),
  /**
   * May succeed later but says nothing about the host: 408, other 5xx, a cut-off body (one broken
   * file or one dropped connection).
   */
  TRANSIENT(true, false, false),
  /** Says the same thing every time: other 4xx and 3xx, too large, TLS, bad URL, body checks. */
  PERMANENT(false, false, false);

  private final boolean retried;
  private final boolean hostTrouble;
  private final boolean overload;

  AnswerClass(boolean retried, boolean hostTrouble, boolean overload) {
    this.retried = retried;
    this.hostTrouble = hostTrouble;
    this.overload = overload;
  }

  /** Another attempt may succeed. */
  boolean retried() {
    return retried;
  }

  /** The host, not the entry, is in trouble; anything else tells its health it is alive. */
  boolean hostTrouble() {
    return hostTrouble;
  }

  /** The provider is over its capacity; {@code --maxInFlight=auto} backs off. */
  boolean overload() {
    return overload;
  }

  /** The class of a response with this status. */
  static AnswerClass ofStatus(int status) {
    if (status >= 200 && status < 300) {
      return SUCCESS;
    }
    return switch (status) {
      case 301, 302, 303, 307, 308 -> REDIRECT;
      case 429, 503 -> OVERLOAD;
      case 502, 504 -> GATEWAY;
      case 408 -> TRANSIENT;
      default -> status >= 500 && status <= 599 ? TRANSIENT : PERMANENT;
    };
  }

  /** The class of a failure named by its error class (transport failures and body checks). */
  static AnswerClass ofError(String error) {
    return switch (error) {
      case ErrorClass.TIMEOUT, ErrorClass.CONNECT_ERROR, ErrorClass.CONNECTION_RESET -> OVERLOAD;
      case ErrorClass.TRUNCATED -> TRANSIENT;
      default -> PERMANENT;
    };
  }
}
