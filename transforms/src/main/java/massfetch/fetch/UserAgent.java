package massfetch.fetch;

/** The default User-Agent: names the project and its version so a provider knows who calls. */
final class UserAgent {
  static final String DEFAULT = "massfetch/" + version() + " (+https://beam.apache.org; bulk image copy)";

  private UserAgent() {}

  private static String version() {
    String v = UserAgent.class.getPackage().getImplementationVersion();
    return v != null ? v : "0.1.0";
  }
}
