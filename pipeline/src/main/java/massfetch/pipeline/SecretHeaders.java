package massfetch.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Finds {@code --header} values that look like credentials on a job submitted to a cluster: the
 * options travel with the job, where the Flink UI's configuration page and any process listing on the
 * cluster's machines show them to everyone who can look. {@code --headerFromEnv} keeps the value on
 * the workers instead.
 */
final class SecretHeaders {
  /** Header names that carry credentials: the standard ones, and names that say key, token, …. */
  private static final Pattern SECRET_NAME = Pattern.compile(
      "authorization|proxy-authorization|cookie|.*(key|token|secret|passw|auth|session|signature|credential).*");

  private SecretHeaders() {}

  /** The one warning line to print for this job, or null when there is nothing to warn about. */
  static String warning(MassfetchOptions o) {
    return Runners.cluster(o).map(cluster -> warning(o.getHeader(), cluster)).orElse(null);
  }

  /** The warning for {@code headers} on a job submitted to {@code cluster} (null: none, this JVM runs it). */
  static String warning(List<String> headers, String cluster) {
    if (cluster == null || headers == null) {
      return null;
    }
    List<String> names = new ArrayList<>();
    for (String header : headers) {
      int colon = header.indexOf(':');
      String name = (colon > 0 ? header.substring(0, colon) : header).strip();
      if (SECRET_NAME.matcher(name.toLowerCase(Locale.ROOT)).matches()) {
        names.add(name);
      }
    }
    if (names.isEmpty()) {
      return null;
    }
    return "massfetch: warning: --header " + String.join(", ", names) + " travels in the job's options, which the"
        + " Flink UI and process listings on the cluster show; set it on the workers with --headerFromEnv="
        + names.get(0) + ":VARIABLE instead";
  }
}
