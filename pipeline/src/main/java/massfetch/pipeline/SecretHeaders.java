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
    if (!FlinkOptionsByName.isFlink(o)) {
      return null;
    }
    Object master = FlinkOptionsByName.get(o, "getFlinkMaster").orElse(null);
    return warning(o.getHeader(), master == null ? null : master.toString());
  }

  /** The warning for {@code headers} on a FlinkRunner whose --flinkMaster is {@code master}. */
  static String warning(List<String> headers, String master) {
    if (!isCluster(master) || headers == null) {
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

  /** A master that is not this JVM: [local] and [auto] (an embedded Flink here) are not clusters. */
  static boolean isCluster(String master) {
    if (master == null) {
      return false;
    }
    String m = master.strip().toLowerCase(Locale.ROOT);
    return !(m.isEmpty() || m.equals("[local]") || m.equals("[auto]") || m.equals("[collection]"));
  }
}
