package massfetch.sink;

import static massfetch.sink.StoreTestSupport.await;
import static massfetch.sink.StoreTestSupport.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import massfetch.sink.ObjectSink.PutOutcome;
import massfetch.sink.StoreTestSupport.TestObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GcsSink} against a real GCS JSON API server (fake-gcs-server, started by {@code
 * scripts/storage-emulators.sh}); objects are read back over plain HTTP, not through the client
 * library under test. Skipped unless {@code MASSFETCH_TEST_GCS_ENDPOINT} is set.
 */
class GcsSinkTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static String endpoint;
  private static String bucket;

  @BeforeAll
  static void findServer() {
    endpoint = StoreTestSupport.env(StoreTestSupport.GCS_ENDPOINT_VAR);
    bucket = StoreTestSupport.bucket();
  }

  @BeforeEach
  void needsServer() {
    // Per test, so each one is reported as skipped with this reason.
    assumeTrue(endpoint != null, StoreTestSupport.GCS_ENDPOINT_VAR + StoreTestSupport.HOW_TO_RUN);
  }

  private static final Function<SinkConfig, ObjectSink> SINK_OPENER =
      GcsSink::open;

  private static String prefix() {
    return "gcs-sink-test/" + UUID.randomUUID();
  }

  private static SinkConfig.Builder config(String prefix) {
    return SinkConfig.builder()
        .setOutput("gs://" + bucket + "/" + prefix)
        .setGcsEndpoint(endpoint)
        .setMaxUploadsInFlight(16)
        .setStoreTimeoutSeconds(20);
  }

  private static String objectUrl(String name) {
    return endpoint
        + "/storage/v1/b/"
        + bucket
        + "/o/"
        + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static byte[] readBytes(String name) throws Exception {
    HttpResponse<byte[]> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(objectUrl(name) + "?alt=media")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    return r.statusCode() == 200 ? r.body() : null;
  }

  private static JsonNode readMetadata(String name) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(objectUrl(name))).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), "metadata of " + name + ": " + r.body());
    return JSON.readTree(r.body());
  }

  private static void assertStored(String prefix, TestObject o) throws Exception {
    String name = prefix + "/" + o.key;
    byte[] stored = readBytes(name);
    assertArrayEquals(o.bytes, stored, "bytes of " + name);
    JsonNode meta = readMetadata(name);
    assertEquals(
        Base64.getEncoder().encodeToString(o.md5), meta.path("md5Hash").asText(), "md5 of " + name);
    assertEquals(hex(o.md5), hex(StoreTestSupport.md5(stored)));
    assertEquals(o.contentType, meta.path("contentType").asText(), "content type of " + name);
  }

  @Test
  void givenEmulator_whenPutting300Images_thenEachReadsBackByteExactWithMd5AndContentType()
      throws Exception {
    String prefix = prefix();
    List<TestObject> objects = StoreTestSupport.objects("a", 300, 1);
    long started = System.nanoTime();
    Map<String, PutOutcome> outcomes;
    try (GcsSink sink = GcsSink.open(config(prefix).build())) {
      outcomes = StoreTestSupport.putAll(sink, objects);
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    System.out.printf("gcs: stored %d objects in %d ms (%.0f/s)%n", objects.size(), millis,
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
          "gcs: %d exists checks in %d ms; %d refused re-puts (precondition) in %d ms%n",
          objects.size(), existsMillis, objects.size(), reputMillis);
    }
  }

  @Test
  void givenStoredObjects_whenPutAgainWithOverwriteOff_thenAlreadyExistsAndObjectUnchanged()
      throws Exception {
    String prefix = prefix();
    List<TestObject> first = StoreTestSupport.objects("b", 40, 2);
    List<TestObject> second = new ArrayList<>();
    for (TestObject o : StoreTestSupport.objects("b", 40, 3)) {
      second.add(o); // same keys, different bytes
    }
    try (GcsSink sink = GcsSink.open(config(prefix).build())) {
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
  void givenOverwriteOn_whenPutAgain_thenObjectReplaced() throws Exception {
    String prefix = prefix();
    List<TestObject> first = StoreTestSupport.objects("c", 10, 4);
    List<TestObject> second = StoreTestSupport.objects("c", 10, 5);
    try (GcsSink sink = GcsSink.open(config(prefix).setOverwrite(true).build())) {
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
        config("x").setOutput("gs://no-such-bucket-" + UUID.randomUUID() + "/p").build();
    TestObject o = StoreTestSupport.objects("d", 1, 6).get(0);
    try (GcsSink sink = GcsSink.open(missing)) {
      assertThrows(
          StoreUnavailableException.class,
          () -> await(sink.put(o.key, o.bytes, o.contentType, o.md5)));
    }
  }

  @Test
  void givenKeyEscapingThePrefix_whenPutting_thenRefusedBeforeAnyRequest() throws Exception {
    try (GcsSink sink = GcsSink.open(config(prefix()).build())) {
      assertThrows(
          IllegalArgumentException.class,
          () -> sink.put("../outside.png", new byte[] {1}, "image/png", new byte[16]));
    }
  }

  /**
   * Stops fake-gcs-server in the middle of a run: puts then fail with retryable store errors (the
   * fetch loop's store_error once attempts are spent) and leave no object behind; after a restart,
   * puts that are still retrying succeed and the failed ones succeed when run again.
   */
  @Test
  void givenStoreStoppedMidRun_whenPutting_thenRetryableErrorsThenRecoveryAfterRestart()
      throws Exception {
    String ctl = StoreTestSupport.env(StoreTestSupport.CTL_VAR);
    assumeTrue(ctl != null, StoreTestSupport.CTL_VAR + StoreTestSupport.HOW_TO_RUN);
    String prefix = prefix();
    StoreOutage.run(
        "gcs", ctl, () -> GcsSink.open(config(prefix).build()), key -> readBytes(prefix + "/" + key));
  }
}
