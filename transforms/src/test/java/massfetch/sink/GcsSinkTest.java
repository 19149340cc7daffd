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
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link GcsSink} against a real GCS JSON API server (fake-gcs-server, started by {@code
 * scripts/storage-emulators.sh}); objects are read back over plain HTTP, not through the client
 * library under test. Skipped unless {@code MASSFETCH_TEST_GCS_ENDPOINT} is set.
 */
class GcsSinkTest {
  static final String GCS_SERVERS_VAR = "MASSFETCH_TEST_GCS_SERVERS";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static String endpoint;
  private static String bucket;

  private static String server;

  static Stream<Arguments> servers() {
    return StoreTestSupport.servers(GCS_SERVERS_VAR, StoreTestSupport.GCS_ENDPOINT_VAR);
  }

  /** Points the test at one server; skips it (with the reason) when none is configured. */
  private static void use(String name, String url) {
    assumeTrue(url != null, StoreTestSupport.GCS_ENDPOINT_VAR + StoreTestSupport.HOW_TO_RUN);
    bucket = StoreTestSupport.bucket();
    server = name;
    endpoint = url;
  }

  private static final Function<SinkConfig, ObjectSink> SINK_OPENER =
      GcsSink::open;

  /**
   * gcp-storage-emulator is a Python server with a listen backlog of 5: more connections at once
   * are reset before it reads them (a limit of the emulator, not of the sink).
   */
  static int uploadsInFlight(String server) {
    return "gcp-storage-emulator".equals(server) ? 4 : 16;
  }

  private static String prefix() {
    return "gcs-sink-test/" + UUID.randomUUID();
  }

  private static SinkConfig.Builder config(String prefix) {
    return SinkConfig.builder()
        .setOutput("gs://" + bucket + "/" + prefix)
        .setGcsEndpoint(endpoint)
        .setMaxUploadsInFlight(uploadsInFlight(server))
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

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenEmulator_whenPutting300Images_thenEachReadsBackByteExactWithMd5AndContentType(String name, String url) throws Exception {
    use(name, url);
    String prefix = prefix();
    List<TestObject> objects = StoreTestSupport.objects("a", 300, 1);
    long started = System.nanoTime();
    Map<String, PutOutcome> outcomes;
    try (GcsSink sink = GcsSink.open(config(prefix).build())) {
      outcomes = StoreTestSupport.putAll(sink, objects);
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    System.out.printf("gcs " + server + ": stored %d objects in %d ms (%.0f/s)%n", objects.size(), millis,
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
      if (!StoreTestSupport.honoursNoOverwritePrecondition(server)) {
        System.out.printf("gcs %s: %d exists checks in %d ms%n", server, objects.size(), existsMillis);
        return;
      }
      started = System.nanoTime();
      Map<String, PutOutcome> again = StoreTestSupport.putAll(sink, objects);
      long reputMillis = (System.nanoTime() - started) / 1_000_000;
      assertTrue(again.values().stream().allMatch(PutOutcome.ALREADY_EXISTS::equals));
      System.out.printf(
          "gcs " + server + ": %d exists checks in %d ms; %d refused re-puts (precondition) in %d ms%n",
          objects.size(), existsMillis, objects.size(), reputMillis);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenStoredObjects_whenPutAgainWithOverwriteOff_thenSameBytesAlreadyExistOtherBytesConflict(
      String name, String url) throws Exception {
    use(name, url);
    assumeTrue(StoreTestSupport.honoursNoOverwritePrecondition(name),
        name + " ignores ifGenerationMatch=0 and overwrites");
    String prefix = prefix();
    List<TestObject> first = StoreTestSupport.objects("b", 40, 2);
    List<TestObject> second = StoreTestSupport.objects("b", 40, 3); // same keys, different bytes
    try (GcsSink sink = GcsSink.open(config(prefix).build())) {
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
  void givenOverwriteOn_whenPutAgain_thenObjectReplaced(String name, String url) throws Exception {
    use(name, url);
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

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenMissingBucket_whenPutting_thenStoreUnavailable(String name, String url) throws Exception {
    use(name, url);
    SinkConfig missing =
        config("x").setOutput("gs://no-such-bucket-" + UUID.randomUUID() + "/p").build();
    TestObject o = StoreTestSupport.objects("d", 1, 6).get(0);
    try (GcsSink sink = GcsSink.open(missing)) {
      assertThrows(
          StoreUnavailableException.class,
          () -> await(sink.put(o.key, o.bytes, o.contentType, o.md5)));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenKeyEscapingThePrefix_whenPutting_thenRefusedBeforeAnyRequest(String name, String url) throws Exception {
    use(name, url);
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
  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenStoreStoppedMidRun_whenPutting_thenRetryableErrorsThenRecoveryAfterRestart(String name, String url) throws Exception {
    use(name, url);
    String ctl = StoreTestSupport.env(StoreTestSupport.CTL_VAR);
    assumeTrue(ctl != null, StoreTestSupport.CTL_VAR + StoreTestSupport.HOW_TO_RUN);
    String store = StoreTestSupport.persistentCtlName(name);
    assumeTrue(store != null, name + " keeps its objects in memory: a restart loses them");
    String prefix = prefix();
    StoreOutage.run(
        store, ctl, () -> GcsSink.open(config(prefix).build()), key -> readBytes(prefix + "/" + key));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenObjectOptions_whenPutting_thenSourceUrlMd5AndOptionsAreOnTheObject(
      String name, String url) throws Exception {
    use(name, url);
    String prefix = prefix();
    TestObject o = StoreTestSupport.objects("meta", 1, 8).get(0);
    SinkConfig config =
        config(prefix)
            .setStorageClass("NEARLINE")
            .setCacheControl("public, max-age=86400")
            .setObjectMetadataPairs(Map.of("batch", "2026-12, first"))
            .setGcsUserProject("massfetch-billing")
            .build();
    try (GcsSink sink = GcsSink.open(config)) {
      assertEquals(
          PutOutcome.STORED,
          await(sink.put(o.key, o.bytes, o.contentType, o.md5, "http://origin.example/a.png")));
    }
    JsonNode meta = readMetadata(prefix + "/" + o.key);
    assertEquals("http://origin.example/a.png", meta.path("metadata").path(ObjectMetadata.SOURCE_URL).asText());
    assertEquals(hex(o.md5), meta.path("metadata").path(ObjectMetadata.MD5).asText());
    assertEquals("2026-12, first", meta.path("metadata").path("batch").asText());
    assertEquals("public, max-age=86400", meta.path("cacheControl").asText(), meta.toString());
    assertEquals("NEARLINE", meta.path("storageClass").asText(), meta.toString());
  }
}
