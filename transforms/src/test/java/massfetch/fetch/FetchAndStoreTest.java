package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import massfetch.sink.SinkConfig;
import massfetch.testing.FaultOrigin;
import massfetch.testing.TestImages;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FetchAndStore} on the DirectRunner against a real HTTP server that injects faults. */
class FetchAndStoreTest {
  private static FaultOrigin origin;
  private static final Map<String, byte[]> IMAGES = new HashMap<>();

  @TempDir Path output;

  @BeforeAll
  static void startOrigin() throws Exception {
    origin = new FaultOrigin();
    for (int i = 0; i < 40; i++) {
      IMAGES.put(i + ".png", origin.addImage(i + ".png", TestImages.png(i, 20 + i)));
    }
  }

  @AfterAll
  static void stopOrigin() throws Exception {
    origin.close();
  }

  private static FetchConfig fastConfig() {
    return FetchConfig.builder()
        .setAllowPrivateAddresses(true) // the test server is on 127.0.0.1
        .setMaxInFlight(16)
        .setRequestTimeoutMs(1_500)
        .setConnectTimeoutMs(1_000)
        .setInitialBackoffMs(10)
        .setMaxBackoffMs(50)
        .setMaxRetryAfterMs(1_500)
        .setMaxAttempts(3)
        .setMaxObjectBytes(FaultOrigin.BIG_BYTES - 1)
        .build();
  }

  private static FetchRequest request(String path, String key, long line) {
    return FetchRequest.builder()
        .setUrl(origin.baseUrl() + path)
        .setKey(key)
        .setSource("test-manifest")
        .setLine(line)
        .build();
  }

  private Map<String, FetchResult> run(List<FetchRequest> requests, FetchConfig config) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    PCollection<FetchResult> results =
        p.apply(Create.of(requests))
            .apply(FetchAndStore.to(SinkConfig.builder().setOutput(output.toString()).build())
                .withFetchConfig(config));
    PAssert.that(results).satisfies(rs -> {
      RESULTS_SINK.addAll(rs);
      return null;
    });
    p.run().waitUntilFinish();
    // PAssert runs in this JVM on the DirectRunner, so the list is filled; keyed for assertions.
    Map<String, FetchResult> byKey = new HashMap<>();
    for (FetchResult r : RESULTS_SINK.drain()) {
      byKey.put(r.getKey(), r);
    }
    return byKey;
  }

  @Test
  void givenEveryFault_whenFetched_thenEachEntryHasItsResultAndOkFilesAreByteExact() throws Exception {
    List<FetchRequest> requests = List.of(
        request("/img/0.png", "ok/0.png", 1),
        request("/404/x.png", "f/404.png", 2),
        request("/403/x.png", "f/403.png", 3),
        request("/503twice/1.png", "r/503.png", 4),
        request("/429/2.png", "r/429.png", 5),
        request("/reset/x.png", "f/reset.png", 6),
        request("/truncate/3.png", "f/truncate.png", 7),
        request("/hang/x.png", "f/hang.png", 8),
        request("/html/x.png", "f/html.png", 9),
        request("/big/x.png", "f/big.png", 10),
        request("/redirect/4.png", "r/redirect.png", 11),
        request("/loop/x.png", "f/loop.png", 12));

    Map<String, FetchResult> r = runCollecting(requests, fastConfig());

    assertEquals(requests.size(), r.size(), "one result per request");
    assertOk(r.get("ok/0.png"), IMAGES.get("0.png"), 1);
    assertFailed(r.get("f/404.png"), "http_404", 404, 1);
    assertFailed(r.get("f/403.png"), "http_403", 403, 1);
    assertOk(r.get("r/503.png"), IMAGES.get("1.png"), 3);
    assertOk(r.get("r/429.png"), IMAGES.get("2.png"), 2);
    assertFailed(r.get("f/reset.png"), "connection_reset", null, 3);
    assertFailed(r.get("f/truncate.png"), "truncated", 200, 3);
    assertFailed(r.get("f/hang.png"), "timeout", null, 3);
    assertFailed(r.get("f/html.png"), "not_image", 200, 1);
    assertFailed(r.get("f/big.png"), "too_large", 200, 1);
    assertOk(r.get("r/redirect.png"), IMAGES.get("4.png"), 2);
    assertFailed(r.get("f/loop.png"), "too_many_redirects", 302, 6);

    // Requests the server saw: 4xx once, retryable faults up to maxAttempts.
    assertEquals(1, origin.hits("/404/x.png"));
    assertEquals(3, origin.hits("/503twice/1.png"));
    assertEquals(3, origin.hits("/truncate/3.png"));
    // Nothing but ok objects on disk, and no temp file left behind.
    try (Stream<Path> files = Files.walk(output)) {
      List<String> stored = files.filter(Files::isRegularFile).map(f -> output.relativize(f).toString()).sorted().toList();
      assertEquals(List.of("ok/0.png", "r/429.png", "r/503.png", "r/redirect.png"), stored);
    }
  }

  @Test
  void givenStoredObjects_whenRunAgain_thenSkippedWithoutRequests() throws Exception {
    List<FetchRequest> requests = new ArrayList<>();
    for (int i = 10; i < 30; i++) {
      requests.add(request("/img/" + i + ".png", "again/" + i + ".png", i));
    }
    Map<String, FetchResult> first = runCollecting(requests, fastConfig());
    first.values().forEach(x -> assertEquals(Status.OK, x.getStatus(), x.toString()));
    int hitsBefore = origin.totalHits();

    Map<String, FetchResult> second = runCollecting(requests, fastConfig());

    assertEquals(20, second.size());
    second.values().forEach(x -> {
      assertEquals(Status.SKIPPED, x.getStatus());
      assertEquals("exists", x.getError());
      assertEquals(0, x.getAttempts());
    });
    assertEquals(hitsBefore, origin.totalHits(), "no request for stored objects");
  }

  @Test
  void givenManifestChecksums_whenBytesDiffer_thenChecksumMismatchAndNothingStored() throws Exception {
    byte[] image = IMAGES.get("5.png");
    String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(image));
    List<FetchRequest> requests = List.of(
        request("/img/5.png", "sum/good.png", 1).toBuilder().setExpectedMd5(md5).setExpectedSize((long) image.length).build(),
        request("/img/5.png", "sum/badmd5.png", 2).toBuilder().setExpectedMd5("0".repeat(32)).build(),
        request("/img/5.png", "sum/badsize.png", 3).toBuilder().setExpectedSize(7L).build());

    Map<String, FetchResult> r = runCollecting(requests, fastConfig());

    assertOk(r.get("sum/good.png"), image, 1);
    assertFailed(r.get("sum/badmd5.png"), "checksum_mismatch", 200, 1);
    assertFailed(r.get("sum/badsize.png"), "checksum_mismatch", 200, 1);
    assertFalse(Files.exists(output.resolve("sum/badmd5.png")));
  }

  @Test
  void givenAllowedHosts_whenUrlOrRedirectLeavesThem_thenDisallowedHostWithoutRequest() throws Exception {
    FetchConfig onlyLocalhostName = fastConfig().toBuilder().setAllowedHosts(List.of("localhost")).build();
    String viaName = origin.baseUrl().replace("127.0.0.1", "localhost");
    List<FetchRequest> requests = List.of(
        request("/img/6.png", "hosts/by-ip.png", 1),
        request("/img/6.png", "hosts/by-name.png", 2).toBuilder().setUrl(viaName + "/img/6.png").build());
    int before = origin.hits("/img/6.png");

    Map<String, FetchResult> r = runCollecting(requests, onlyLocalhostName);

    assertFailed(r.get("hosts/by-ip.png"), "disallowed_host", null, 0);
    assertOk(r.get("hosts/by-name.png"), IMAGES.get("6.png"), 1);
    assertEquals(before + 1, origin.hits("/img/6.png"), "no request to a disallowed host");
  }

  private Map<String, FetchResult> runCollecting(List<FetchRequest> requests, FetchConfig config) {
    RESULTS_SINK.clear();
    return run(requests, config);
  }

  private void assertOk(FetchResult r, byte[] expected, int attempts) throws Exception {
    assertEquals(Status.OK, r.getStatus(), r.toString());
    assertNull(r.getError());
    assertEquals(200, r.getHttpStatus());
    assertEquals(expected.length, r.getBytes());
    assertEquals(attempts, r.getAttempts(), r.toString());
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(expected)), r.getMd5());
    assertArrayEquals(expected, Files.readAllBytes(output.resolve(r.getKey())), "byte-exact " + r.getKey());
  }

  private void assertFailed(FetchResult r, String error, Integer httpStatus, int attempts) {
    assertEquals(Status.FAILED, r.getStatus(), r.toString());
    assertEquals(error, r.getError(), r.toString());
    assertEquals(httpStatus, r.getHttpStatus(), r.toString());
    assertEquals(attempts, r.getAttempts(), r.toString());
    assertTrue(r.getDetail() != null && !r.getDetail().isBlank());
    assertFalse(Files.exists(output.resolve(r.getKey())), "no object for a failure: " + r.getKey());
  }

  /** Where the PAssert callback leaves results (same JVM on the DirectRunner). */
  static final ResultsSink RESULTS_SINK = new ResultsSink();

  static final class ResultsSink {
    private final List<FetchResult> results = new ArrayList<>();

    synchronized void clear() {
      results.clear();
    }

    synchronized void addAll(Iterable<FetchResult> rs) {
      rs.forEach(results::add);
    }

    synchronized List<FetchResult> drain() {
      return new ArrayList<>(results);
    }
  }
}
