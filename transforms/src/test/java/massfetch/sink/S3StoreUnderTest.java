package massfetch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.UUID;
import massfetch.sink.StoreTestSupport.TestObject;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * An S3 API server (S3Proxy, moto): objects are read back with the SDK's separate synchronous
 * client, signed with the default provider chain's credentials.
 */
final class S3StoreUnderTest extends StoreUnderTest {
  final String endpoint;
  final String bucket = StoreTestSupport.bucket();
  final S3Client reader;

  S3StoreUnderTest(String server, String endpoint) {
    super(server);
    this.endpoint = endpoint;
    this.reader = S3Client.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .build();
  }

  @Override
  SinkConfig.Builder config(String prefix) {
    return SinkConfig.builder()
        .setOutput("s3://" + bucket + "/" + prefix)
        .setStore(settings().build())
        .setMaxUploadsInFlight(16)
        .setStoreTimeoutSeconds(20);
  }

  /** The store's own settings for this server, to change one before {@link SinkConfig.Builder#setStore}. */
  S3Sink.Settings.Builder settings() {
    return S3Sink.Settings.builder().setEndpoint(endpoint).setPathStyle(true);
  }

  @Override
  byte[] read(String prefix, String key) {
    try {
      return reader.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + "/" + key)).asByteArray();
    } catch (NoSuchKeyException e) {
      return null;
    }
  }

  HeadObjectResponse head(String prefix, String key) {
    return reader.headObject(b -> b.bucket(bucket).key(prefix + "/" + key));
  }

  @Override
  void assertRecorded(String prefix, TestObject o) {
    HeadObjectResponse head = head(prefix, o.key);
    // A single-request PUT's ETag is the hex MD5 of the object.
    assertEquals("\"" + StoreTestSupport.hex(o.md5) + "\"", head.eTag(), "etag (md5) of " + o.key);
    assertEquals(o.contentType, head.contentType(), "content type of " + o.key);
    assertEquals(o.bytes.length, head.contentLength(), "length of " + o.key);
  }

  @Override
  String unavailableOutput() {
    return "s3://no-such-bucket-" + UUID.randomUUID() + "/p";
  }

  @Override
  public void close() {
    reader.close();
  }
}
