package massfetch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.google.cloud.storage.StorageException;
import java.io.IOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * How store errors map onto the sink contract (retry, store_error, fail the bundle). The live
 * tests see refused connections, 412s and missing buckets from real servers; throttling, 5xx and
 * auth failures are hard to provoke there, so the mapping itself is checked here.
 */
class StoreErrorMappingTest {

  private static RuntimeException gcs(int code, String message) {
    return GcsSink.classify(new StorageException(code, message), "gs://b/k");
  }

  private static RuntimeException s3(int status, String code) {
    S3Exception e =
        (S3Exception)
            S3Exception.builder()
                .statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).build())
                .build();
    return S3Sink.classify(e, "writing s3://b/k");
  }

  private static void assertRetryable(RuntimeException e, boolean retryable) {
    assertInstanceOf(StoreException.class, e);
    assertEquals(retryable, ((StoreException) e).retryable(), e.getMessage());
  }

  @Test
  void givenGcsErrors_whenClassified_thenThrottlingAndServerErrorsRetryAuthAndBucketFailBundle() {
    assertRetryable(gcs(429, "rate"), true);
    assertRetryable(gcs(503, "unavailable"), true);
    assertRetryable(gcs(500, "internal"), true);
    assertRetryable(gcs(408, "timeout"), true);
    assertRetryable(gcs(400, "Provided CRC32C \"x\" doesn't match calculated CRC32C"), true);
    assertRetryable(gcs(400, "Invalid argument"), false);
    assertInstanceOf(StoreUnavailableException.class, gcs(401, "no auth"));
    assertInstanceOf(StoreUnavailableException.class, gcs(403, "forbidden"));
    assertInstanceOf(StoreUnavailableException.class, gcs(404, "bucket"));
    assertRetryable(
        GcsSink.classify(new StorageException(new ConnectException("refused")), "gs://b/k"), true);
    assertRetryable(
        GcsSink.classify(new StorageException(new IOException("Connection reset")), "gs://b/k"),
        true);
  }

  @Test
  void givenS3Errors_whenClassified_thenThrottlingAndServerErrorsRetryAuthAndBucketFailBundle() {
    assertRetryable(s3(503, "SlowDown"), true);
    assertRetryable(s3(500, "InternalError"), true);
    assertRetryable(s3(429, "TooManyRequests"), true);
    assertRetryable(s3(409, "ConditionalRequestConflict"), true);
    assertRetryable(s3(400, "BadDigest"), true);
    assertRetryable(s3(400, "RequestTimeout"), true);
    assertRetryable(s3(400, "InvalidArgument"), false);
    assertInstanceOf(StoreUnavailableException.class, s3(403, "AccessDenied"));
    assertInstanceOf(StoreUnavailableException.class, s3(403, "SignatureDoesNotMatch"));
    assertInstanceOf(StoreUnavailableException.class, s3(404, "NoSuchBucket"));
    assertInstanceOf(StoreUnavailableException.class, s3(501, "NotImplemented"));
    assertRetryable(
        S3Sink.classify(SdkClientException.create("Unable to execute HTTP request"), "x"), true);
    // No credentials on the worker: no later attempt can succeed, like a 403.
    assertInstanceOf(StoreUnavailableException.class, S3Sink.classify(SdkClientException.create(
        "Unable to load credentials from any of the providers in the chain AwsCredentialsProviderChain"), "x"));
  }
}
