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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
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
  static final String S3_SERVERS_VAR = "MASSFETCH_TEST_S3_SERVERS";
  private static String endpoint;
  private static String bucket;
  private static S3Client reader;

  private static String server;

  static Stream<Arguments> servers() {
    return StoreTestSupport.servers(S3_SERVERS_VAR, StoreTestSupport.S3_ENDPOINT_VAR);
  }

  /** Points the test at one server; skips it (with the reason) when none is configured. */
  private static void use(String name, String url) {
    assumeTrue(url != null, StoreTestSupport.S3_ENDPOINT_VAR + StoreTestSupport.HOW_TO_RUN);
    bucket = StoreTestSupport.bucket();
    if (!url.equals(endpoint)) {
      closeReader();
      reader =
          S3Client.builder()
              .endpointOverride(URI.create(url))
              .region(Region.US_EAST_1)
              .forcePathStyle(true)
              .build();
    }
    server = name;
    endpoint = url;
  }

  @AfterAll
  static void closeReader() {
    if (reader != null) {
      reader.close();
      reader = null;
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

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenEmulator_whenPutting300Images_thenEachReadsBackByteExactWithMd5AndContentType(
      String name, String url) throws Exception {
    use(name, url);
    String prefix = prefix();
    List<TestObject> objects = StoreTestSupport.objects("a", 300, 11);
    long started = System.nanoTime();
    Map<String, PutOutcome> outcomes;
    try (S3Sink sink = S3Sink.open(config(prefix).build())) {
      outcomes = StoreTestSupport.putAll(sink, objects);
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    System.out.printf("s3 " + server + ": stored %d objects in %d ms (%.0f/s)%n", objects.size(), millis,
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
          "s3 " + server + ": %d exists checks in %d ms; %d refused re-puts (precondition) in %d ms%n",
          objects.size(), existsMillis, objects.size(), reputMillis);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenStoredObjects_whenPutAgainWithOverwriteOff_thenSameBytesAlreadyExistOtherBytesConflict(
      String name, String url) throws Exception {
    use(name, url);
    String prefix = prefix();
    List<TestObject> first = StoreTestSupport.objects("b", 40, 12);
    List<TestObject> second = StoreTestSupport.objects("b", 40, 13);
    try (S3Sink sink = S3Sink.open(config(prefix).build())) {
      StoreTestSupport.putAll(sink, first);
      Map<String, PutOutcome> same = StoreTestSupport.putAll(sink, first);
      Map<String, PutOutcome> other = StoreTestSupport.putAll(sink, second);
      for (int i = 0; i < first.size(); i++) {
        assertEquals(PutOutcome.ALREADY_EXISTS, same.get(first.get(i).key), first.get(i).key);
        assertEquals(PutOutcome.KEY_CONFLICT, other.get(second.get(i).key), second.get(i).key);
      }
      assertTrue(await(sink.exists(first.get(0).key)));
      assertFalse(await(sink.exists("b/never/stored.png")));
    }
    for (TestObject o : first) {
      assertStored(prefix, o);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenConditionalWritesOff_whenPutAgain_thenHeadFindsItAndObjectUnchanged(
      String name, String url) throws Exception {
    use(name, url);
    String prefix = prefix();
    List<TestObject> first = StoreTestSupport.objects("h", 20, 14);
    List<TestObject> second = StoreTestSupport.objects("h", 20, 15);
    try (S3Sink sink = S3Sink.open(config(prefix).setS3ConditionalWrites(false).build())) {
      Map<String, PutOutcome> once = StoreTestSupport.putAll(sink, first);
      assertTrue(once.values().stream().allMatch(PutOutcome.STORED::equals), once.toString());
      Map<String, PutOutcome> same = StoreTestSupport.putAll(sink, first);
      assertTrue(
          same.values().stream().allMatch(PutOutcome.ALREADY_EXISTS::equals), same.toString());
      Map<String, PutOutcome> again = StoreTestSupport.putAll(sink, second);
      assertTrue(
          again.values().stream().allMatch(PutOutcome.KEY_CONFLICT::equals), again.toString());
    }
    for (TestObject o : first) {
      assertStored(prefix, o);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenOverwriteOn_whenPutAgain_thenObjectReplaced(String name, String url)
      throws Exception {
    use(name, url);
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

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenMissingBucket_whenPutting_thenStoreUnavailable(String name, String url)
      throws Exception {
    use(name, url);
    SinkConfig missing =
        config("x").setOutput("s3://no-such-bucket-" + UUID.randomUUID() + "/p").build();
    TestObject o = StoreTestSupport.objects("d", 1, 18).get(0);
    try (S3Sink sink = S3Sink.open(missing)) {
      assertThrows(
          StoreUnavailableException.class,
          () -> await(sink.put(o.key, o.bytes, o.contentType, o.md5)));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenWrongMd5_whenPutting_thenStoreRefusesTheBytesAsRetryable(String name, String url)
      throws Exception {
    use(name, url);
    assumeTrue(!name.equals("moto"), "moto does not check Content-MD5: it stores damaged bytes");
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

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenStoreStoppedMidRun_whenPutting_thenRetryableErrorsThenRecoveryAfterRestart(
      String name, String url) throws Exception {
    use(name, url);
    String ctl = StoreTestSupport.env(StoreTestSupport.CTL_VAR);
    assumeTrue(ctl != null, StoreTestSupport.CTL_VAR + StoreTestSupport.HOW_TO_RUN);
    String store = StoreTestSupport.persistentCtlName(name);
    assumeTrue(store != null, name + " keeps its objects in memory: a restart loses them");
    String prefix = prefix();
    StoreOutage.run(
        store, ctl, () -> S3Sink.open(config(prefix).build()), key -> readBytes(prefix + "/" + key));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenObjectOptions_whenPutting_thenSourceUrlMd5AndOptionsAreOnTheObject(
      String name, String url) throws Exception {
    use(name, url);
    String prefix = prefix();
    TestObject o = StoreTestSupport.objects("meta", 1, 20).get(0);
    String source = "http://origin.example/img/caf\u00e9 1.png?v=2";
    SinkConfig config =
        config(prefix)
            .setStorageClass("STANDARD_IA")
            .setCacheControl("public, max-age=86400")
            .setObjectMetadataPairs(Map.of("batch", "2026-12, first"))
            .build();
    try (S3Sink sink = S3Sink.open(config)) {
      assertEquals(
          PutOutcome.STORED, await(sink.put(o.key, o.bytes, o.contentType, o.md5, source)));
    }
    HeadObjectResponse head = reader.headObject(b -> b.bucket(bucket).key(prefix + "/" + o.key));
    assertEquals("http://origin.example/img/caf%C3%A9 1.png?v=2",
        head.metadata().get(ObjectMetadata.SOURCE_URL));
    assertEquals(hex(o.md5), head.metadata().get(ObjectMetadata.MD5));
    assertEquals("2026-12, first", head.metadata().get("batch"));
    assertEquals("public, max-age=86400", head.cacheControl());
    assertEquals("STANDARD_IA", head.storageClassAsString());
  }

  /**
   * SSE-KMS: the put names the key; a server that keeps KMS keys (moto) reports it back on the
   * object. S3Proxy has no server-side encryption and refuses the header (501): the entry fails
   * with a store error naming the missing feature, rather than storing an unencrypted object.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenKmsKey_whenPutting_thenObjectEncryptedWithItOrRefused(String name, String url)
      throws Exception {
    use(name, url);
    String prefix = prefix();
    TestObject o = StoreTestSupport.objects("kms", 1, 21).get(0);
    String keyId = "arn:aws:kms:us-east-1:123456789012:key/massfetch-test";
    try (S3Sink sink = S3Sink.open(config(prefix).setS3KmsKeyId(keyId).build())) {
      if (name.equals("s3proxy")) {
        assertThrows(
            RuntimeException.class,
            () -> await(sink.put(o.key, o.bytes, o.contentType, o.md5, null)));
        assertEquals(null, readBytes(prefix + "/" + o.key), "no unencrypted object");
        return;
      }
      assertEquals(PutOutcome.STORED, await(sink.put(o.key, o.bytes, o.contentType, o.md5, null)));
      // SSE-KMS makes the ETag something other than the MD5: a re-put compares the md5 metadata.
      assertEquals(
          PutOutcome.ALREADY_EXISTS, await(sink.put(o.key, o.bytes, o.contentType, o.md5, null)));
    }
    HeadObjectResponse head = reader.headObject(b -> b.bucket(bucket).key(prefix + "/" + o.key));
    assertEquals("aws:kms", head.serverSideEncryptionAsString());
    assertEquals(keyId, head.ssekmsKeyId());
    assertArrayEquals(o.bytes, readBytes(prefix + "/" + o.key));
  }
}
