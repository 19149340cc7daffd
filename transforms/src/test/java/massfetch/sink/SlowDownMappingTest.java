package massfetch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.storage.StorageException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Which store answers carry the "slow down" and timeout signals the pacing layer acts on (the
 * answers themselves come from real servers in scripts/suites/35-store-pace.sh).
 */
class SlowDownMappingTest {

  private static StoreException s3(int status, String code, String retryAfter) {
    SdkHttpResponse.Builder http = SdkHttpResponse.builder().statusCode(status);
    if (retryAfter != null) {
      http.putHeader("Retry-After", retryAfter);
    }
    S3Exception e = (S3Exception) S3Exception.builder()
        .statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).sdkHttpResponse(http.build()).build())
        .build();
    RuntimeException mapped = S3Sink.classify(e, "writing s3://b/k");
    assertInstanceOf(StoreException.class, mapped);
    return (StoreException) mapped;
  }

  private static StoreException gcs(StorageException e) {
    RuntimeException mapped = GcsSink.classify(e, "gs://b/k");
    assertInstanceOf(StoreException.class, mapped);
    return (StoreException) mapped;
  }

  @Test
  void givenS3SlowDownAnswers_whenClassified_thenSlowDownWithRetryAfter() {
    StoreException slow = s3(503, "SlowDown", "3");
    assertTrue(slow.slowDown());
    assertTrue(slow.retryable());
    assertEquals("3", slow.retryAfter());
    assertTrue(s3(429, "TooManyRequests", null).slowDown());
    assertTrue(s3(503, "ServiceUnavailable", null).slowDown());
    assertNull(s3(503, "SlowDown", null).retryAfter());

    assertFalse(s3(500, "InternalError", null).slowDown(), "a server error is no request to slow down");
    assertFalse(s3(400, "BadDigest", null).slowDown());
  }

  @Test
  void givenGcsThrottling_whenClassified_thenSlowDown() {
    assertTrue(gcs(new StorageException(429, "rateLimitExceeded")).slowDown());
    assertTrue(gcs(new StorageException(503, "backendError")).slowDown());
    assertFalse(gcs(new StorageException(500, "internal")).slowDown());
  }

  @Test
  void givenTimeouts_whenClassified_thenTimedOutAndRetryableButNoSlowDown() {
    StoreException s3 = (StoreException) S3Sink.classify(
        ApiCallTimeoutException.create(60_000), "writing s3://b/k");
    assertTrue(s3.timedOut());
    assertTrue(s3.retryable());
    assertFalse(s3.slowDown(), "a timeout spends an attempt: a hung store must end");

    StoreException gcs = gcs(new StorageException(new SocketTimeoutException("Read timed out")));
    assertTrue(gcs.timedOut());
    assertTrue(gcs.retryable());
  }
}
