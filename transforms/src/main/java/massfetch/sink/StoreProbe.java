package massfetch.sink;

import com.google.cloud.BaseServiceException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

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
    String scheme = store.scheme();
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
        return explain(where, scheme, config, "write a probe object", e);
      }
      try {
        await(deleteProbe(sink, key));
      } catch (Exception e) {
        return explain(where, scheme, config, "delete the probe object " + sink.locationOf(key), e);
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

  private static CompletableFuture<Void> deleteProbe(ObjectSink sink, String key) {
    if (sink instanceof S3Sink) {
      return ((S3Sink) sink).delete(key);
    }
    return ((GcsSink) sink).delete(key);
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

  /** One line for a failed probe request, naming the likely fix. */
  static String explain(String where, String scheme, SinkConfig config, String what, Exception e) {
    int status = 0;
    String code = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AwsServiceException) {
        AwsServiceException a = (AwsServiceException) t;
        status = a.statusCode();
        code = a.awsErrorDetails() != null ? a.awsErrorDetails().errorCode() : null;
        break;
      }
      if (t instanceof BaseServiceException) {
        status = ((BaseServiceException) t).getCode();
        code = ((BaseServiceException) t).getReason();
        break;
      }
    }
    BucketPrefix location = BucketPrefix.parse(config.output(), scheme);
    String head = where + ": cannot " + what + ": ";
    String detail = status > 0 ? status + (code != null ? " " + code : "") : shortReason(e);
    if (status == 404 || "NoSuchBucket".equals(code)) {
      return head + "bucket " + location.bucket() + " does not exist (" + detail
          + "): create it or correct the name";
    }
    if ("InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code)) {
      return head + "the store refused the credentials (" + detail
          + "): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the profile)";
    }
    if (status == 401 || status == 403) {
      String hint =
          scheme.equals("gs")
              ? "grant the account storage.objects.create and storage.objects.delete on the bucket"
                  + (config.gcsUserProject() == null
                      ? ", or set --userProject for a requester-pays bucket"
                      : "")
              : "grant s3:PutObject and s3:DeleteObject on the prefix"
                  + (config.s3KmsKeyId() != null ? " and kms:GenerateDataKey on the key" : "");
      return head + "access denied (" + detail + "): " + hint;
    }
    if (status == 400 && (config.storageClass() != null || config.s3KmsKeyId() != null)) {
      return head + "the store refused the request (" + detail
          + "): check --storageClass and --s3KmsKeyId";
    }
    if (status == 0) {
      String endpoint = scheme.equals("s3") ? config.s3Endpoint() : config.gcsEndpoint();
      return head + "no answer from " + (endpoint != null ? endpoint : "the store") + " ("
          + detail + "): check " + (scheme.equals("s3") ? "--s3Endpoint" : "--gcsEndpoint")
          + " and the network";
    }
    return head + detail;
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
