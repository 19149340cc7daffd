package massfetch.sink;

import static massfetch.sink.StoreTestSupport.await;
import static massfetch.sink.StoreTestSupport.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import massfetch.sink.ObjectSink.PutOutcome;
import massfetch.sink.StoreTestSupport.TestObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * {@link S3Sink} against a real S3 API server (S3Proxy, started by {@code
 * scripts/storage-emulators.sh}); objects are read back with the SDK's separate synchronous client.
 * Skipped unless {@code MASSFETCH_TEST_S3_ENDPOINT} is set; credentials come from the default
 * provider chain ({@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}).
 */
class S3SinkTest {
  private static String endpoint;
  private static String bucket;
  private static S3Client reader;

  @BeforeAll
  static void findServer() {
    endpoint = StoreTestSupport.env(StoreTestSupport.S3_ENDPOINT_VAR);
    bucket = StoreTestSupport.bucket();
    if (endpoint == null) {
      return;
    }
    reader =
        S3Client.builder()
            .endpointOverride(URI.create(endpoint))
            .region(Region.US_EAST_1)
            .forcePathStyle(true)
            .build();
  }

  @BeforeEach
  void needsServer() {
    // Per test, so each one is reported as skipped with this reason.
    assumeTrue(endpoint != null, StoreTestSupport.S3_ENDPOINT_VAR + StoreTestSupport.HOW_TO_RUN);
  }

  @AfterAll
  static void closeReader() {
    if (reader != null) {
      reader.close();
    }
  }

  private static final Function<SinkConfig, ObjectSink> SINK_OPENER =
      S3Sink::open;

  private static String prefix() {
    return "s3-sink-test/" + UUID.randomUUID();
  }

  private static SinkConfig.Builder config(String prefix) {
    return SinkConfig.builder()
        .setOutput("s3://" + bucket + "/" + prefix)
        .setS3Endpoint(endpoint)
        .setS3PathStyle(true)
        .setMaxUploadsInFlight(16)
        .setStoreTimeoutSeconds(20);
  }

  private static byte[] readBytes(String name) {
    try {
      ResponseBytes<GetObjectResponse> r =
          reader.getObjectAsBytes(b -> b.bucket(bucket).key(name));
      return r.asByteArray();
    } catch (NoSuchKeyException e) {
      return null;
    }
  }

  private static void assertStored(String prefix, TestObject o) {
    String name = prefix + "/" + o.key;
    byte[] stored = readBytes(name);
    assertArrayEquals(o.bytes, stored, "bytes of " + name);
    HeadObjectResponse head = reader.headObject(b -> b.bucket(bucket).key(name));
    // A single-request PUT's ETag is the hex MD5 of the object.
    assertEquals("\"" + hex(o.md5) + "\"", head.eTag(), "etag (md5) of " + name);
    assertEquals(o.contentType, head.contentType(), "content type of " + name);
    assertEquals(o.bytes.length, head.contentLength());
  }

  @Test
  void givenEmulator_whenPutting300Images_thenEachReadsBackByteExactWithMd5AndContentType()
      throws Exception {
    String prefix = prefix();
    List<TestObject> objects = StoreTestSupport.objects("a", 300, 11);
    long started = System.nanoTime();
    Map<String, PutOutcome> outcomes;
    try (S3Sink sink = S3Sink.open(config(prefix).build())) {
      outcomes = StoreTestSupport.putAll(sink, objects);
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    System.out.printf("s3: stored %d objects in %d ms (%.0f/s)%n", objects.size(), millis,
        objects.size() * 1000.0 / Math.max(1, millis));
    for (TestObject o : objects) {
      assertEquals(PutOutcome.STORED, outcomes.get(o.key), o.key);
      assertStored(prefix, o);
    }
    measureSkipCost(prefix, objects);
  }

  /**
   * What --skipExisting costs against what it saves: one metadata request per entry (exists) vs.
   * the precondition put a re-run makes without it (the bytes travel again and are refused).
   */
  private static void measureSkipCost(String prefix, List<TestObject> objects) throws Exception {
    try (ObjectSink sink = SINK_OPENER.apply(config(prefix).build())) {
      long started = System.nanoTime();
      List<CompletableFuture<Boolean>> checks = new ArrayList<>();
      for (TestObject o : objects) {
        checks.add(sink.exists(o.key));
      }
      for (CompletableFuture<Boolean> c : checks) {
        assertTrue(await(c));
      }
      long existsMillis = (System.nanoTime() - started) / 1_000_000;
      started = System.nanoTime();
      Map<String, PutOutcome> again = StoreTestSupport.putAll(sink, objects);
      long reputMillis = (System.nanoTime() - started) / 1_000_000;
      assertTrue(again.values().stream().allMatch(PutOutcome.ALREADY_EXISTS::equals));
      System.out.printf(
          "s3: %d exists checks in %d ms; %d refused re-puts (precondition) in %d ms%n",
          objects.size(), existsMillis, objects.size(), reputMillis);
    }
  }

  @Test
  void givenStoredObjects_whenPutAgainWithOverwriteOff_thenAlreadyExistsAndObjectUnchanged()
      throws Exception {
    String prefix = prefix();
    List<TestObject> first = StoreTestSupport.objects("b", 40, 12);
    List<TestObject> second = StoreTestSupport.objects("b", 40, 13);
    try (S3Sink sink = S3Sink.open(config(prefix).build())) {
      StoreTestSupport.putAll(sink, first);
      Map<String, PutOutcome> again = StoreTestSupport.putAll(sink, second);
      for (TestObject o : second) {
        assertEquals(PutOutcome.ALREADY_EXISTS, again.get(o.key), o.key);
      }
      assertTrue(await(sink.exists(first.get(0).key)));
      assertFalse(await(sink.exists("b/never/stored.png")));
    }
    for (TestObject o : first) {
      assertStored(prefix, o);
    }
  }

  @Test
  void givenConditionalWritesOff_whenPutAgain_thenHeadFindsItAndObjectUnchanged()
      throws Exception {
    String prefix = prefix();
    List<TestObject> first = StoreTestSupport.objects("h", 20, 14);
    List<TestObject> second = StoreTestSupport.objects("h", 20, 15);
    try (S3Sink sink = S3Sink.open(config(prefix).setS3ConditionalWrites(false).build())) {
      Map<String, PutOutcome> once = StoreTestSupport.putAll(sink, first);
      assertTrue(once.values().stream().allMatch(PutOutcome.STORED::equals), once.toString());
      Map<String, PutOutcome> again = StoreTestSupport.putAll(sink, second);
      assertTrue(
          again.values().stream().allMatch(PutOutcome.ALREADY_EXISTS::equals), again.toString());
    }
    for (TestObject o : first) {
      assertStored(prefix, o);
    }
  }

  @Test
  void givenOverwriteOn_whenPutAgain_thenObjectReplaced() throws Exception {
    String prefix = prefix();
    List<TestObject> first = StoreTestSupport.objects("c", 10, 16);
    List<TestObject> second = StoreTestSupport.objects("c", 10, 17);
    try (S3Sink sink = S3Sink.open(config(prefix).setOverwrite(true).build())) {
      StoreTestSupport.putAll(sink, first);
      Map<String, PutOutcome> again = StoreTestSupport.putAll(sink, second);
      assertTrue(again.values().stream().allMatch(PutOutcome.STORED::equals), again.toString());
    }
    for (TestObject o : second) {
      assertStored(prefix, o);
    }
  }

  @Test
  void givenMissingBucket_whenPutting_thenStoreUnavailable() throws Exception {
    SinkConfig missing =
        config("x").setOutput("s3://no-such-bucket-" + UUID.randomUUID() + "/p").build();
    TestObject o = StoreTestSupport.objects("d", 1, 18).get(0);
    try (S3Sink sink = S3Sink.open(missing)) {
      assertThrows(
          StoreUnavailableException.class,
          () -> await(sink.put(o.key, o.bytes, o.contentType, o.md5)));
    }
  }

  @Test
  void givenWrongMd5_whenPutting_thenStoreRefusesTheBytesAsRetryable() throws Exception {
    String prefix = prefix();
    TestObject o = StoreTestSupport.objects("m", 1, 19).get(0);
    try (S3Sink sink = S3Sink.open(config(prefix).build())) {
      StoreException e =
          assertThrows(
              StoreException.class,
              () -> await(sink.put(o.key, o.bytes, o.contentType, new byte[16])));
      assertTrue(e.retryable(), e.toString());
    }
    assertEquals(null, readBytes(prefix + "/" + o.key), "a refused put left an object");
  }

  @Test
  void givenStoreStoppedMidRun_whenPutting_thenRetryableErrorsThenRecoveryAfterRestart()
      throws Exception {
    String ctl = StoreTestSupport.env(StoreTestSupport.CTL_VAR);
    assumeTrue(ctl != null, StoreTestSupport.CTL_VAR + StoreTestSupport.HOW_TO_RUN);
    String prefix = prefix();
    StoreOutage.run(
        "s3", ctl, () -> S3Sink.open(config(prefix).build()), key -> readBytes(prefix + "/" + key));
  }
}
