package massfetch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.storage.StorageException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The pre-flight's line for a failed probe: the store's own hint where it has one ({@link
 * ObjectStore#probeHint}), neutral words where it has none. The real servers' answers (missing
 * bucket, closed port, refused secret) are checked end to end by StorePreflightTest and the storage
 * suite; refusals that emulators do not give (403, 400) are built here from the clients' own
 * exception types.
 */
class StoreProbeTest {
  /** A remote store with no hints of its own: what a new store gets before it says anything. */
  private static final ObjectStore PLAIN = new ObjectStore() {
    @Override
    public String scheme() {
      return "plain";
    }

    @Override
    public ObjectSink open(SinkConfig config) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ObjectStore.Answer answerOf(Throwable failure) {
      return failure instanceof S3Exception s ? new ObjectStore.Answer(s.statusCode(), null) : null;
    }
  };

  private static SinkConfig config(String output) {
    return SinkConfig.builder().setOutput(output).build();
  }

  private static S3Exception s3(int status, String code) {
    return (S3Exception) S3Exception.builder()
        .statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).build())
        .build();
  }

  /** The line after its "--output LOCATION: cannot write a probe object: " head. */
  private static String explain(ObjectStore store, SinkConfig config, Exception e) {
    String head = "--output " + config.output() + ": cannot write a probe object: ";
    String line = StoreProbe.explain("--output " + config.output(), store, config, "write a probe object", e);
    assertTrue(line.startsWith(head), line);
    return line.substring(head.length());
  }

  @Test
  void givenS3AccessDenied_whenExplained_thenS3NamesItsIamActions() {
    String line = explain(new S3Sink.Store(), config("s3://bkt/out"), new RuntimeException(s3(403, "AccessDenied")));
    assertEquals("access denied (403 AccessDenied): grant s3:PutObject"
        + " and s3:DeleteObject on the prefix", line);
  }

  @Test
  void givenS3RefusedKey_whenExplained_thenTheCredentialsAreNamed() {
    String line = explain(new S3Sink.Store(), config("s3://bkt/out"), s3(403, "InvalidAccessKeyId"));
    assertTrue(line.contains("the store refused the credentials (403 InvalidAccessKeyId): check AWS_ACCESS_KEY_ID"), line);
  }

  @Test
  void givenGcsForbidden_whenExplained_thenGcsNamesItsPermissionsAndUserProject() {
    String line = explain(new GcsSink.Store(), config("gs://bkt/out"), new StorageException(403, "Forbidden"));
    assertTrue(line.contains("access denied (403"), line);
    assertTrue(line.contains("storage.objects.create and storage.objects.delete"), line);
    assertTrue(line.contains("--userProject"), line);
    assertFalse(line.contains("s3:"), line);
  }

  @Test
  void givenNoAnswer_whenExplained_thenEachStoreNamesItsEndpointOption() {
    Exception refused = new RuntimeException(new ConnectException("Connection refused"));
    String s3 = explain(new S3Sink.Store(), config("s3://bkt/out").toBuilder()
        .setStore(S3Sink.Settings.builder().setEndpoint("http://127.0.0.1:9").build()).build(), refused);
    String gcs = explain(new GcsSink.Store(), config("gs://bkt/out").toBuilder()
        .setStore(GcsSink.Settings.builder().setEndpoint("http://127.0.0.1:8").build()).build(), refused);
    assertTrue(s3.endsWith("no answer from http://127.0.0.1:9 (Connection refused): check --s3Endpoint and the network"), s3);
    assertTrue(gcs.endsWith("no answer from http://127.0.0.1:8 (Connection refused): check --gcsEndpoint and the network"), gcs);
    // The GCS client wraps a connection it could not make as a service error with code 0.
    String wrapped = explain(new GcsSink.Store(), config("gs://bkt/out"), new StorageException(0, "Connection refused"));
    assertTrue(wrapped.startsWith("no answer from the store ("), wrapped);
    assertTrue(wrapped.endsWith("check --gcsEndpoint and the network"), wrapped);
  }

  @Test
  void givenAStoreWithoutHints_whenExplained_thenNeutralWordsAndNoOtherStoresOptions() {
    SinkConfig config = config("plain://bkt/out");
    String denied = explain(PLAIN, config, s3(403, "AccessDenied"));
    String missing = explain(PLAIN, config, s3(404, "NoSuchBucket"));
    String silent = explain(PLAIN, config, new RuntimeException(new ConnectException("Connection refused")));
    assertTrue(denied.endsWith("access denied (403): grant the job's account write and delete access to the location"), denied);
    assertTrue(missing.endsWith("bucket bkt does not exist (404): create it or correct the name"), missing);
    assertTrue(silent.endsWith("no answer from the store (Connection refused): check the store's endpoint and the network"), silent);
    for (String line : new String[] {denied, missing, silent}) {
      assertFalse(line.matches(".*(s3|gcs|AWS_|--userProject).*"), line);
    }
  }
}
