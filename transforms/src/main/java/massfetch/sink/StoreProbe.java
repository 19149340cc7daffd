package massfetch.sink;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.annotation.Nullable;

/**
 * The pre-flight check of a {@code gs://} or {@code s3://} location: before a job starts, the
 * credentials and region are looked up and one small probe object is written (with the job's own
 * put: same preconditions, storage class, encryption, metadata) and deleted, so a mistake ends the
 * run at once with one line naming the fix instead of failing every entry or hanging in retries.
 *
 * <pre>{@code
 * String problem = StoreProbe.check("--output", sinkConfig, System.getenv());
 * }</pre>
 */
public final class StoreProbe {
  /** Deadline for one probe request; the whole check stays well under half a minute. */
  static final int PROBE_TIMEOUT_SECONDS = 8;

  static final String PROBE_PREFIX = ".massfetch-probe-";

  private StoreProbe() {}

  /**
   * Checks {@code config.output()} as the location given to {@code option}; null when the job can
   * write there, else one line saying what is wrong and how to fix it. Local paths are not checked
   * here.
   */
  public static String check(String option, SinkConfig config, Map<String, String> env) {
    ObjectStore store = ObjectSinks.storeOf(config.output()).orElse(null);
    if (store == null || !store.remote()) {
      return null;
    }
    String where = option + " " + config.output();
    String setup = store.setupProblem(config, env);
    if (setup != null) {
      return setup + " (needed for " + where + ")";
    }
    SinkConfig probeConfig =
        config.toBuilder()
            .setStoreTimeoutSeconds(Math.min(config.storeTimeoutSeconds(), PROBE_TIMEOUT_SECONDS))
            .setMaxUploadsInFlight(2)
            .build();
    String key = PROBE_PREFIX + UUID.randomUUID();
    byte[] bytes = "massfetch pre-flight probe; safe to delete\n".getBytes(StandardCharsets.UTF_8);
    try (ObjectSink sink = ObjectSinks.open(probeConfig)) {
      try {
        await(sink.put(key, bytes, "text/plain", md5(bytes)));
      } catch (Exception e) {
        return explain(where, store, config, "write a probe object", e);
      }
      try {
        await(store.deleteProbe(sink, key));
      } catch (Exception e) {
        return explain(where, store, config, "delete the probe object " + sink.locationOf(key), e);
      }
    } catch (IllegalArgumentException e) {
      return where + ": " + e.getMessage();
    }
    return null;
  }

  /**
   * Region and credentials for reading {@code location} (an input such as the manifest), looked up
   * without a request; null when found or not needed, else one line naming the fix.
   */
  public static String setupProblem(String option, String location, SinkConfig config, Map<String, String> env) {
    String setup = ObjectSinks.storeOf(location).map(store -> store.setupProblem(config, env)).orElse(null);
    return setup == null ? null : setup + " (needed for " + option + " " + location + ")";
  }

  private static void await(CompletableFuture<?> future) throws Exception {
    try {
      future.get(3L * PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
    } catch (TimeoutException e) {
      throw new StoreException("no answer in " + 3 * PROBE_TIMEOUT_SECONDS + " s", true, e);
    }
  }

  /**
   * One line for a failed probe request, naming the likely fix: a missing bucket here, anything
   * else in the store's own terms ({@link ObjectStore#probeHint}), or in neutral ones when the store
   * has nothing to add.
   */
  static String explain(String where, ObjectStore store, SinkConfig config, String what, Exception e) {
    ObjectStore.Answer answer = null;
    for (Throwable t = e; t != null && answer == null; t = t.getCause()) {
      answer = store.answerOf(t);
    }
    String head = where + ": cannot " + what + ": ";
    String detail = answer != null ? answer.toString() : shortReason(e);
    if (answer != null && answer.status() == 404) {
      BucketPrefix location = BucketPrefix.parse(config.output(), store.scheme());
      return head + "bucket " + location.bucket() + " does not exist (" + detail
          + "): create it or correct the name";
    }
    String hint = store.probeHint(answer, detail, config);
    if (hint != null) {
      return head + hint;
    }
    if (answer == null) {
      return head + noAnswer(null, detail, "the store's endpoint");
    }
    if (answer.status() == 401 || answer.status() == 403) {
      return head + accessDenied(detail, "grant the job's account write and delete access to the location");
    }
    if (answer.status() == 400 && config.storageClass() != null) {
      return head + refused(detail, "--storageClass");
    }
    return head + detail;
  }

  /** The clause for a refused permission: {@code access denied (detail): fix}. */
  public static String accessDenied(String detail, String fix) {
    return "access denied (" + detail + "): " + fix;
  }

  /** The clause for a request the store rejected as malformed: check the options that shape it. */
  public static String refused(String detail, String options) {
    return "the store refused the request (" + detail + "): check " + options;
  }

  /** The clause for no answer at all: names the endpoint (null: the default one) and its option. */
  public static String noAnswer(@Nullable String endpoint, String detail, String option) {
    return "no answer from " + (endpoint != null ? endpoint : "the store") + " (" + detail + "): check "
        + option + " and the network";
  }

  private static String shortReason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    m = m.replaceAll("\\s+", " ").strip();
    return m.length() > 120 ? m.substring(0, 117) + "..." : m;
  }

  private static byte[] md5(byte[] bytes) {
    try {
      return MessageDigest.getInstance("MD5").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has MD5", e);
    }
  }
}
